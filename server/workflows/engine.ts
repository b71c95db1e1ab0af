// Running a workflow: one node at a time from the start node, in the run of the
// call that started it. Nodes without side effects (transform, switch, if, delay)
// run here; every node with one (http, approval, message) is its own call through
// the Tool Policy Gate, with the run's principal, so policy, budgets, approvals and
// the event log see each of them as they see an agent's calls. No database
// transaction is held while a node runs.
import { randomUUID } from "node:crypto";
import { recordEvents } from "@/server/events/append";
import type { TNestedGate, TNestedOutcome } from "@/server/tools/types";
import { successors, type TWorkflowDefinition, type TWorkflowNode } from "./definition";
import { compare, evaluate, renderTemplate, type TWorkflowData } from "./expressions";

/** The tools node types call: none is local (shell, files, processes), in any mode. */
export const NODE_TOOLS = {
  http: ["workflow.fetch", "workflow.http"],
  approval: ["workflow.approval"],
  message: ["message.send"],
  transform: [],
  switch: [],
  if: [],
  delay: [],
} as const;

export const MAX_DATA_BYTES = 256 * 1024;

export type TWorkflowRef = { id: string; name: string; version: number; definition: TWorkflowDefinition };

export type TWorkflowRunState = {
  /** The gate, for this run and principal: handed over by workflow.run's execution context. */
  gate: TNestedGate;
  tenantId: string;
  runId: string;
  signal: AbortSignal;
};

export type TWorkflowResult =
  | { status: "completed"; workflow: string; version: number; visited: string[]; output: unknown; nodes?: Record<string, unknown> }
  | { status: "waiting_approval"; workflow: string; version: number; visited: string[]; node: string; approvalRequestId: string };

/** A workflow that stopped at a node (denied by the gate, a failed call, a bad value): the message says where and why. */
export class WorkflowStopped extends Error {
  constructor(
    readonly status: "denied" | "failed",
    message: string,
  ) {
    super(message);
    this.name = "WorkflowStopped";
  }
}

// The workflow-only tools (workflow.fetch / workflow.http) execute only while a
// workflow of the same run is running in this process: an agent cannot use them
// as a general HTTP client (web.fetch and web.post are those).
const active = new Map<string, number>();
const activeKey = (tenantId: string, runId: string) => `${tenantId}:${runId}`;

export function isWorkflowActive(tenantId: string, runId: string): boolean {
  return (active.get(activeKey(tenantId, runId)) ?? 0) > 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("the workflow was stopped"));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new Error("the workflow was stopped"));
      },
      { once: true },
    );
  });
}

function gateFailure(node: TWorkflowNode, tool: string, outcome: TNestedOutcome): WorkflowStopped {
  if (outcome.status === "denied")
    return new WorkflowStopped(
      "denied",
      `Step "${node.id}" (${tool}) was refused at the ${outcome.decision.step} step: ${outcome.decision.explanation}`,
    );
  if (outcome.status === "failed") return new WorkflowStopped("failed", `Step "${node.id}" (${tool}) failed: ${outcome.error}`);
  return new WorkflowStopped("failed", `Step "${node.id}" (${tool}) did not run.`);
}

function sizeOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null));
}

/**
 * Run from `from` (the start node, or the node after an approval) with the data
 * so far. Ends completed, or waiting at an approval node; throws WorkflowStopped
 * when a node is refused or fails (the message names the node).
 */
export async function runWorkflow(
  state: TWorkflowRunState,
  workflow: TWorkflowRef,
  data: TWorkflowData,
  from: string | undefined,
): Promise<TWorkflowResult> {
  const byId = new Map(workflow.definition.nodes.map((node) => [node.id, node]));
  const visited: string[] = [];
  let lastOutput: unknown = null;
  const gate = state.gate;
  const key = activeKey(state.tenantId, state.runId);
  active.set(key, (active.get(key) ?? 0) + 1);
  await recordEvents(state.tenantId, [
    {
      runId: state.runId,
      type: "workflow.started",
      eventClass: "run",
      payload: { workflow: workflow.name, workflowId: workflow.id, version: workflow.version, from: from ?? null },
    },
  ]);
  try {
    let nodeId = from;
    while (nodeId) {
      // Definitions are acyclic (checked on save), so this bound is only a second line.
      if (visited.length >= workflow.definition.nodes.length)
        throw new WorkflowStopped("failed", "The workflow visited more nodes than it has.");
      if (state.signal.aborted) throw new WorkflowStopped("failed", `The workflow ran out of time before step "${nodeId}".`);
      const node = byId.get(nodeId);
      if (!node) throw new WorkflowStopped("failed", `Step "${nodeId}" does not exist in version ${workflow.version}.`);
      visited.push(node.id);
      let next: string | undefined;
      let output: unknown;
      switch (node.type) {
        case "transform":
          output = evaluate(node.set, data);
          next = node.next;
          break;
        case "switch": {
          const index = node.cases.findIndex((entry) => compare(evaluate(entry.value, data), entry.op, evaluate(entry.operand, data)));
          next = index >= 0 ? node.cases[index]?.next : node.default;
          output = { matched: index >= 0 ? index : "default", next: next ?? null };
          break;
        }
        case "if": {
          const isTrue = compare(evaluate(node.value, data), node.op, evaluate(node.operand, data));
          next = isTrue ? node.then : node.else;
          output = { result: isTrue, next: next ?? null };
          break;
        }
        case "delay":
          await sleep(node.seconds * 1000, state.signal);
          output = { waitedSeconds: node.seconds };
          next = node.next;
          break;
        case "http": {
          const tool = node.method === "GET" ? "workflow.fetch" : "workflow.http";
          const args = {
            ...(node.method === "GET" ? {} : { method: node.method }),
            url: renderTemplate(node.url, data),
            ...(node.headers
              ? { headers: Object.fromEntries(Object.entries(node.headers).map(([name, value]) => [name, renderTemplate(value, data)])) }
              : {}),
            ...(node.body !== undefined && node.method !== "GET" ? { body: evaluate(node.body, data) } : {}),
          };
          const outcome = await gate(tool, args);
          if (outcome.status === "held") return await waiting(state, workflow, visited, node.id, outcome.approvalRequestId);
          if (outcome.status !== "executed") throw gateFailure(node, tool, outcome);
          output = outcome.result;
          const status = (output as { status?: unknown } | null)?.status;
          if (typeof status === "number" && status >= 400 && !node.continueOnError)
            throw new WorkflowStopped("failed", `Step "${node.id}" got HTTP ${status} from ${args.url.slice(0, 200)}.`);
          next = node.next;
          break;
        }
        case "message": {
          const outcome = await gate("message.send", evaluate(node.args, data));
          if (outcome.status === "held") return await waiting(state, workflow, visited, node.id, outcome.approvalRequestId);
          if (outcome.status !== "executed") throw gateFailure(node, "message.send", outcome);
          output = outcome.result;
          next = node.next;
          break;
        }
        case "approval": {
          if (sizeOf(data) > MAX_DATA_BYTES)
            throw new WorkflowStopped(
              "failed",
              `Step "${node.id}": the workflow's data is over ${MAX_DATA_BYTES / 1024} KiB, too much to carry through an approval.`,
            );
          const args = {
            workflowId: workflow.id,
            version: workflow.version,
            node: node.id,
            message: renderTemplate(node.message, data).slice(0, 4000),
            // Each hold is its own request: an approval is never reused by a later run of the same step.
            hold: randomUUID(),
            // As JSON (picks of nothing drop out), exactly as the hold stores it.
            data: JSON.parse(JSON.stringify(data)) as TWorkflowData,
          };
          const outcome = await gate("workflow.approval", args);
          if (outcome.status === "held") return await waiting(state, workflow, visited, node.id, outcome.approvalRequestId);
          if (outcome.status !== "executed") throw gateFailure(node, "workflow.approval", outcome);
          const result = outcome.result as { status?: string; approvalRequestId?: string };
          if (result.status === "waiting_approval" && result.approvalRequestId) {
            await recordEvents(state.tenantId, [
              {
                runId: state.runId,
                type: "approval.requested",
                eventClass: "approval",
                payload: { approvalRequestId: result.approvalRequestId, tool: "workflow.approval", tags: ["workflow"] },
              },
            ]);
            return await waiting(state, workflow, visited, node.id, result.approvalRequestId);
          }
          throw new WorkflowStopped("failed", `Step "${node.id}": the approval step answered unexpectedly.`);
        }
      }
      data.nodes[node.id] = output;
      lastOutput = output;
      if (node.type === "transform" || node.type === "switch" || node.type === "if" || node.type === "delay")
        await recordEvents(state.tenantId, [
          {
            runId: state.runId,
            type: "workflow.step",
            eventClass: "run",
            payload: { workflow: workflow.name, node: node.id, type: node.type, next: next ?? null },
          },
        ]);
      if (sizeOf(data) > MAX_DATA_BYTES)
        throw new WorkflowStopped("failed", `Step "${node.id}": the workflow's data grew over ${MAX_DATA_BYTES / 1024} KiB.`);
      nodeId = next;
    }
    await finished(state, workflow, "completed");
    const result: TWorkflowResult = {
      status: "completed",
      workflow: workflow.name,
      version: workflow.version,
      visited,
      output: lastOutput,
    };
    return sizeOf(data.nodes) <= 32 * 1024 ? { ...result, nodes: data.nodes } : result;
  } catch (error) {
    const stopped =
      error instanceof WorkflowStopped
        ? error
        : new WorkflowStopped("failed", error instanceof Error ? error.message : "the workflow failed");
    await finished(state, workflow, stopped.status, stopped.message);
    throw stopped;
  } finally {
    const count = (active.get(key) ?? 1) - 1;
    if (count > 0) active.set(key, count);
    else active.delete(key);
  }
}

async function waiting(
  state: TWorkflowRunState,
  workflow: TWorkflowRef,
  visited: string[],
  node: string,
  approvalRequestId: string,
): Promise<TWorkflowResult> {
  await finished(state, workflow, "waiting_approval");
  return { status: "waiting_approval", workflow: workflow.name, version: workflow.version, visited, node, approvalRequestId };
}

async function finished(state: TWorkflowRunState, workflow: TWorkflowRef, status: string, error?: string): Promise<void> {
  await recordEvents(state.tenantId, [
    {
      runId: state.runId,
      type: "workflow.finished",
      eventClass: "run",
      payload: { workflow: workflow.name, version: workflow.version, status, ...(error ? { error: error.slice(0, 500) } : {}) },
    },
  ]);
}

/** The node after an approval node (where a resumed workflow continues). */
export function nodeAfter(definition: TWorkflowDefinition, nodeId: string): { node: TWorkflowNode; next: string | undefined } | null {
  const node = definition.nodes.find((candidate) => candidate.id === nodeId);
  if (!node) return null;
  return { node, next: successors(node)[0] };
}
