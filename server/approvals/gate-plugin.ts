// The gate's approval plug-in: a held call becomes an approval request routed by
// the tenant's workflow; a first tier decided by a policy pack decides right after
// the hold is recorded. Installed at start-up by server/plugins.ts.
import type { TApprovalPlugin } from "@/server/gate/types";
import { createHeldRequest } from "./requests";
import { decideByPackIfAny } from "./service";

export const approvalPlugin: TApprovalPlugin = {
  hold: async (held, db) => {
    const request = await createHeldRequest(held, db);
    return { id: request.id, isPackTier: request.isPackTier };
  },
  afterHold: decideByPackIfAny,
};
