import { describe, expect, it } from "vitest";
import { isUuid } from "./validation";

describe("isUuid", () => {
  it("accepts UUID text in any case", () => {
    expect(isUuid("0b7e3c2a-5f1d-4c8e-9a6b-1d2e3f4a5b6c")).toBe(true);
    expect(isUuid("0B7E3C2A-5F1D-4C8E-9A6B-1D2E3F4A5B6C")).toBe(true);
  });

  it("refuses anything else", () => {
    expect(isUuid("")).toBe(false);
    expect(isUuid("0b7e3c2a5f1d4c8e9a6b1d2e3f4a5b6c")).toBe(false);
    expect(isUuid(" 0b7e3c2a-5f1d-4c8e-9a6b-1d2e3f4a5b6c")).toBe(false);
    expect(isUuid("0b7e3c2a-5f1d-4c8e-9a6b-1d2e3f4a5b6c'; --")).toBe(false);
  });
});
