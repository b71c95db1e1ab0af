// Validate the environment when the server starts, and stop with a message
// naming each bad variable rather than failing later, mid-request.
export async function onServerStart(): Promise<void> {
  try {
    await import("./env");
  } catch (error) {
    process.stderr.write(`\nAgent Fabric cannot start.\n${error instanceof Error ? error.message : String(error)}\n\n`);
    process.exit(1);
  }
}
