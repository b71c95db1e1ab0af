// The workflow tools. workflow.run starts a saved workflow; its nodes with side
// effects come back to the gate as calls of their own:
//   http GET          workflow.fetch     (read_only, reads untrusted content)
//   http other        workflow.http      (external_side_effect, reads untrusted content)
//   approval          workflow.approval  (a hold for people; approving it continues the workflow)
//   message           message.send       (whatever the registry has under that name)
// workflow.fetch and workflow.http run only while a workflow of the same run runs:
// they are steps, not a general HTTP client for agents. URLs are checked by the SSRF
// guard in the input schema (so the gate refuses at its registry step, with the
// reason) and again at connect time.
import { z } from "zod";
import { createHeldRequest } from "@/server/approvals/requests";
import { withTenant } from "@/server/db";
import { callDigest } from "@/server/tools/call-digest";
import { checkUrl, guardedRequest } from "@/server/net/ssrf";
import type { TPrincipal } from "@/server/policy/evaluate";
import type { TToolContext, TToolDefinition } from "@/server/tools/types";
import { HTTP_METHODS } from "./definition";
import { isWorkflowActive, nodeAfter, runWorkflow, MAX_DATA_BYTES, type TWorkflowResult, type TWorkflowRunState } from "./engine";
import { ZWorkflowInput, ZWorkflowName } from "./schemas";
import { runnableWorkflow, workflowVersion } from "./service";

const RUN_TIMEOUT_MS = 120_000;
const HTTP_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** What a step keeps of a response body: enough for picks, well under the gate's output cap. */
const MAX_BODY_CHARS = 48 * 1024;

const ZUrl = z
  .string()
  .max(4000)
  .superRefine((value, context) => {
    try {
      checkUrl(value);
    } catch (error) {
      context.addIssue({ code: "custom", message: `refused by the SSRF guard: ${error instanceof Error ? error.message : "not allowed"}` });
    }
  });
const ZHeaders = z.record(
  z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, { message: "is not a valid header name" }),
  z
    .string()
    .max(4000)
    .refine((value) => !/[\r\n\u0000]/.test(value), { message: "must not contain line breaks or NUL" }),
);

/** The gate's principal back from the tool context's "user:<id>" / "agent:<id>"; a user must still be a member. */
async function principalOf(context: TToolContext): Promise<TPrincipal> {
  const [kind, id] = context.principal.split(/:(.*)/s);
  if (kind === "agent" && id) return { type: "Agent", id };
  if (kind === "user" && id) {
    const membership = await withTenant(context.tenantId, (db) =>
      db.membership.findUnique({ where: { tenantId_userId: { tenantId: context.tenantId, userId: id } } }),
    );
    if (!membership) throw new Error("The workflow's principal is no longer a member of this tenant.");
    return { type: "User", id, role: membership.role };
  }
  throw new Error(`A workflow cannot run as "${context.principal.slice(0, 80)}".`);
}

/**
 * The run's state for the engine: the gate comes from the execution context (the
 * gate hands it to this tool; no tool imports the gate), and the principal must
 * still be a member of the tenant when a workflow starts or resumes.
 */
async function runState(context: TToolContext): Promise<TWorkflowRunState> {
  await principalOf(context);
  if (!context.gate) throw new Error("workflow.run runs only through the gate, which hands it a gate for its steps.");
  return { gate: context.gate, tenantId: context.tenantId, runId: context.runId, signal: context.signal };
}

export const workflowRun: TToolDefinition<{ name?: string; workflowId?: string; input?: Record<string, unknown> }> = {
  name: "workflow.run",
  description:
    "Run one of this tenant's saved workflows by name (or id) with an input object. Each step with a side effect is checked by policy as its own call.",
  input: z
    .object({ name: ZWorkflowName.optional(), workflowId: z.uuid().optional(), input: ZWorkflowInput.optional() })
    .strict()
    .refine((args) => Boolean(args.name) !== Boolean(args.workflowId), { message: "give either a name or a workflowId" }),
  safetyClass: "external_side_effect",
  capability: "api",
  mayHoldRun: true,
  timeoutMs: RUN_TIMEOUT_MS,
  maxOutputBytes: 128 * 1024,
  execute: async (context, args): Promise<TWorkflowResult> => {
    const workflow = await withTenant(context.tenantId, (db) => runnableWorkflow(db, context.tenantId, args));
    const state = await runState(context);
    return runWorkflow(state, workflow, { input: args.input ?? {}, nodes: {} }, workflow.definition.start);
  },
};

type THttpArgs = { method?: (typeof HTTP_METHODS)[number]; url: string; headers?: Record<string, string>; body?: unknown };

async function httpStep(tool: string, context: TToolContext, args: THttpArgs) {
  if (!isWorkflowActive(context.tenantId, context.runId))
    throw new Error(`${tool} runs only as a step of a workflow (workflow.run); agents fetch and post with the web tools.`);
  const headers: Record<string, string> = { ...args.headers };
  let body: string | undefined;
  if (args.body !== undefined) {
    body = typeof args.body === "string" ? args.body : JSON.stringify(args.body);
    if (typeof args.body !== "string" && !Object.keys(headers).some((name) => name.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
  }
  const response = await guardedRequest(args.url, {
    method: args.method ?? "GET",
    headers,
    body,
    signal: context.signal,
    timeoutMs: HTTP_TIMEOUT_MS,
    maxBytes: MAX_RESPONSE_BYTES,
  });
  const contentType = String(response.headers["content-type"] ?? "");
  const text = response.body.toString("utf8");
  const isTruncated = text.length > MAX_BODY_CHARS;
  let parsed: unknown = isTruncated ? text.slice(0, MAX_BODY_CHARS) : text;
  if (!isTruncated && /json/i.test(contentType)) {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // Not JSON after all: the text is kept as is.
    }
  }
  return {
    status: response.status,
    ok: response.status >= 200 && response.status < 400,
    url: response.url,
    contentType,
    body: parsed,
    ...(isTruncated ? { truncated: true } : {}),
  };
}

export const workflowFetch: TToolDefinition<THttpArgs> = {
  name: "workflow.fetch",
  description: "A workflow's http GET step (only runs inside workflow.run). Public http(s) URLs only.",
  input: z.object({ url: ZUrl, headers: ZHeaders.optional() }).strict(),
  safetyClass: "read_only",
  capability: "api",
  readsUntrustedContent: true,
  timeoutMs: HTTP_TIMEOUT_MS + 2_000,
  maxOutputBytes: 128 * 1024,
  policyFields: (args) => ({ url: args.url }),
  execute: (context, args) => httpStep("workflow.fetch", context, args),
};

export const workflowHttp: TToolDefinition<THttpArgs> = {
  name: "workflow.http",
  description: "A workflow's http POST/PUT/PATCH/DELETE step (only runs inside workflow.run). Public http(s) URLs only.",
  input: z
    .object({
      method: z.enum(HTTP_METHODS).exclude(["GET"]),
      url: ZUrl,
      headers: ZHeaders.optional(),
      body: z.json().optional(),
    })
    .strict(),
  safetyClass: "external_side_effect",
  capability: "api",
  readsUntrustedContent: true,
  timeoutMs: HTTP_TIMEOUT_MS + 2_000,
  maxOutputBytes: 128 * 1024,
  policyFields: (args) => ({ url: args.url }),
  execute: (context, args) => httpStep("workflow.http", context, args),
};

type TApprovalArgs = {
  workflowId: string;
  version: number;
  node: string;
  message: string;
  hold: string;
  data: { input: Record<string, unknown>; nodes: Record<string, unknown> };
};

/**
 * An approval step. Called by the workflow, it files a hold bound (by digest) to
 * exactly this run, step and data, and the workflow stops, waiting. Called again
 * for the same digest once people approved it (the approvals inbox executes the
 * approved call), it continues the workflow after the step, with that data. A
 * denied, expired or cancelled hold ends the workflow.
 */
export const workflowApproval: TToolDefinition<TApprovalArgs> = {
  name: "workflow.approval",
  description: "A workflow's approval step: holds the workflow until people approve, then continues it.",
  input: z
    .object({
      workflowId: z.uuid(),
      version: z.number().int().min(1).max(2_147_483_647),
      node: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/),
      message: z.string().max(4000),
      hold: z.uuid(),
      data: z
        .object({ input: z.record(z.string(), z.json()), nodes: z.record(z.string(), z.json()) })
        .strict()
        .refine((data) => Buffer.byteLength(JSON.stringify(data)) <= MAX_DATA_BYTES, { message: "is too large" }),
    })
    .strict(),
  safetyClass: "write_internal",
  capability: "api",
  timeoutMs: RUN_TIMEOUT_MS,
  maxOutputBytes: 128 * 1024,
  execute: async (context, args) => {
    const digest = callDigest({ runId: context.runId, tool: "workflow.approval", args });
    const { workflow, prior } = await withTenant(context.tenantId, async (db) => ({
      workflow: await workflowVersion(db, context.tenantId, args.workflowId, args.version),
      prior: await db.approvalRequest.findFirst({
        where: { tenantId: context.tenantId, runId: context.runId, tool: "workflow.approval", digest },
        orderBy: { createdAt: "desc" },
      }),
    }));
    const step = nodeAfter(workflow.definition, args.node);
    if (!step || step.node.type !== "approval")
      throw new Error(`"${args.node}" is not an approval step of "${workflow.name}" v${args.version}.`);
    if (prior?.status === "approved") {
      const state = await runState(context);
      return runWorkflow(state, workflow, structuredClone(args.data), step.next);
    }
    if (prior?.status === "pending") return { status: "waiting_approval", approvalRequestId: prior.id };
    if (prior) throw new Error(`The approval of step "${args.node}" was ${prior.status}; the workflow does not continue.`);
    // A new hold is filed only by a running workflow: an agent cannot file one with data of its choosing.
    if (!isWorkflowActive(context.tenantId, context.runId))
      throw new Error("workflow.approval runs only as a step of a workflow (workflow.run).");
    const explanation = `Waiting for approval: workflow "${workflow.name}" step "${args.node}": ${args.message}`.slice(0, 2000);
    // Routed like any held call (the tenant's approval workflow, its deadline and timeout action).
    const request = await createHeldRequest({
      tenantId: context.tenantId,
      runId: context.runId,
      tool: "workflow.approval",
      args,
      digest,
      decision: { effect: "require_approval", step: "approval", explanation, policies: [], tags: ["workflow"] },
      requestedBy: context.principal,
      routed: { tool: "workflow.approval", safetyClass: "write_internal", tags: ["workflow"] },
    });
    return { status: "waiting_approval", approvalRequestId: request.id };
  },
};

export const WORKFLOW_TOOLS = [workflowRun, workflowFetch, workflowHttp, workflowApproval];
