// Runs once when the server starts. Node-only work lives in server/startup.ts so
// that the Edge bundle of this file stays free of Node APIs.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { onServerStart } = await import("./server/startup");
    await onServerStart();
  }
}
