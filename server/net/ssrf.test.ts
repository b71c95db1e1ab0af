import { describe, expect, it } from "vitest";
import { addressRefusal, checkUrl, SsrfError } from "./ssrf";

describe("address classification", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.1.2.3", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["10.0.0.8", "private"],
    ["172.16.5.4", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["fd00::1", "unique local"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["100.64.0.1", "carrier-grade"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
  ])("%s is refused (%s)", (address, why) => {
    expect(addressRefusal(address)).toContain(why);
  });

  it.each(["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"])("%s is public", (address) => {
    expect(addressRefusal(address)).toBeNull();
  });
});

describe("URL checks before any connection", () => {
  it.each([
    "http://127.0.0.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://127.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3:8080/admin",
    "http://localhost:3000/",
    "http://api.localhost/",
    "file:///etc/passwd",
    "gopher://example.com/",
    "http://user:pass@example.com/",
    "not a url",
  ])("refuses %s", (url) => {
    expect(() => checkUrl(url)).toThrow(SsrfError);
  });

  it("accepts public URLs", () => {
    expect(checkUrl("https://example.com/path?q=1").hostname).toBe("example.com");
    expect(checkUrl("http://93.184.216.34/").hostname).toBe("93.184.216.34");
  });
});

describe("names and exemptions", () => {
  it("a trailing dot does not make localhost another name", () => {
    expect(() => checkUrl("http://localhost./")).toThrow("localhost is a loopback address");
    expect(() => checkUrl("http://api.localhost../")).toThrow(SsrfError);
  });

  it("an exempt address does not exempt its IPv4-mapped IPv6 form", () => {
    process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
    try {
      expect(checkUrl("http://127.0.0.1:9/").hostname).toBe("127.0.0.1");
      expect(() => checkUrl("http://[::ffff:127.0.0.1]:9/")).toThrow(SsrfError);
      expect(() => checkUrl("http://127.0.0.2:9/")).toThrow(SsrfError);
    } finally {
      delete process.env.SSRF_ALLOW_ADDRESSES;
    }
  });
});
