// Local tools (shell, file system) for self_hosted deployments only. This module
// is imported by the registry in self_hosted mode and nowhere else.
import type { TAnyTool } from "../types";
import { FS_TOOLS } from "./fs";
import { shellExec } from "./shell";

export const LOCAL_TOOLS: TAnyTool[] = [shellExec, ...FS_TOOLS];
