// Types the connectors share with the credentials domain. A leaf: connectors
// import it, and the credentials domain never imports a connector (the table of
// connection checks lives with the connectors, server/connectors/checks.ts).
export type TOpenCredential = { id: string; label: string; config: Record<string, string>; secrets: Record<string, string> };

/** "Check connection": a harmless authenticated call that proves the credential works. */
export type TConnectionCheck = (credential: TOpenCredential, signal: AbortSignal) => Promise<{ isOk: boolean; detail: string }>;
