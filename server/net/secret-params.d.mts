export declare const SECRET_PARAMS: string[];
export declare const SECRET_QUERY: RegExp;
export declare function redactUrl(url: string | URL): string;
