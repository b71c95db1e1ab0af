// A process that runs one external tool call through the gate and is killed while the
// tool runs (server/gate/record.int.test.ts): started by the test as `node --import tsx`
// with the test database's environment and a JSON call in CALL; never imported.
import { installPlugins } from "@/server/plugins";

installPlugins();
const { runGate } = await import("@/server/gate/pipeline");
const call = JSON.parse(process.env.CALL ?? "null") as Parameters<typeof runGate>[0];
process.stdout.write("calling\n");
await runGate(call);
process.stdout.write("finished\n");
