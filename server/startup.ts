// Validate the environment when the server starts, and stop with a message
// naming each bad variable rather than failing later, mid-request.
export async function onServerStart(): Promise<void> {
  try {
    await import("./env");
  } catch (error) {
    process.stderr.write(`\nAgent Fabric cannot start.\n${error instanceof Error ? error.message : String(error)}\n\n`);
    process.exit(1);
  }
  // The gate's plug-ins (approvals, budgets, the tools it runs) before anything can call the gate.
  const { installPlugins } = await import("./plugins");
  installPlugins();
  // The durable worker (retention, checkpoints) runs in the app process unless
  // WORKER=off, e.g. for instances that should only serve requests.
  if (process.env.WORKER !== "off" && process.env.SKIP_ENV_VALIDATION !== "1") {
    const { ensureWorker } = await import("./jobs/worker");
    const { logger } = await import("./logger");
    ensureWorker().catch((error: unknown) =>
      logger.error({ err: error }, "the job worker could not start; retention and timed checkpoints are paused"),
    );
  }
}
