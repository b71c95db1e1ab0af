import { describe, expect, it } from "vitest";
import { ACCOUNT_ATTEMPTS, FREE_ATTEMPTS, delayAfter } from "./throttle";
import { clientAddress } from "./sign-in";

describe("sign-in throttle", () => {
  it("the first failures are free, then each wait doubles up to a minute", () => {
    expect([1, 2, 3].map(delayAfter)).toEqual([0, 0, 0]);
    expect([4, 5, 6, 7, 8, 9, 10].map(delayAfter)).toEqual([2, 4, 8, 16, 32, 60, 60]);
    expect(FREE_ATTEMPTS).toBeLessThan(ACCOUNT_ATTEMPTS);
  });

  it("believes X-Forwarded-For only past the trusted proxies, counted from the right", () => {
    const headers = new Headers({ "x-forwarded-for": "1.2.3.4, 198.51.100.9" });
    expect(clientAddress(headers, 0)).toBeNull();
    expect(clientAddress(headers, 1)).toBe("198.51.100.9");
    expect(clientAddress(headers, 2)).toBe("1.2.3.4");
    expect(clientAddress(headers, 3)).toBeNull();
  });
});
