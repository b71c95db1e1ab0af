// The pure parts of messaging: argument schemas, the WhatsApp message body, the
// signatures both ways, the inbound payload parser and the scripted phrases.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { scriptedPlan } from "@/server/agent/scripted-planner";
import { detectPii } from "@/server/gate/pii";
import { ZMessageSend } from "@/server/tools/api/message";
import { ZWhatsappSend } from "@/server/tools/api/whatsapp";
import { webhookSignature } from "./message";
import { whatsappMessageBody } from "./whatsapp";
import { isValidHubSignature, textMessages } from "./whatsapp-inbound";

describe("whatsapp.send arguments", () => {
  it("normalizes the number to +digits, which PII detection still sees as a phone number", () => {
    const args = ZWhatsappSend.parse({ to: "+49 (151) 234-5678", text: "hi" });
    expect(args.to).toBe("+491512345678");
    expect(detectPii(args).kinds).toContain("phone");
    expect(whatsappMessageBody(args)).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "491512345678",
      type: "text",
      text: { body: "hi" },
    });
  });

  it("builds a template message with its language and components", () => {
    const args = ZWhatsappSend.parse({
      to: "15551234567",
      template: { name: "order_update", language: "en_US", components: [{ type: "body", parameters: [{ type: "text", text: "42" }] }] },
    });
    expect(whatsappMessageBody(args)).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "15551234567",
      type: "template",
      template: {
        name: "order_update",
        language: { code: "en_US" },
        components: [{ type: "body", parameters: [{ type: "text", text: "42" }] }],
      },
    });
  });

  it("refuses both or neither of text and template, bad numbers and unknown keys", () => {
    for (const args of [
      { to: "+15551234567" },
      { to: "+15551234567", text: "a", template: { name: "x", language: "en" } },
      { to: "call me", text: "a" },
      { to: "+1 555", text: "a" },
      { to: "+15551234567", text: "a", tenantId: "00000000-0000-4000-8000-000000000000" },
      { to: "+15551234567", template: { name: "Bad Name", language: "en" } },
    ])
      expect(ZWhatsappSend.safeParse(args).success, JSON.stringify(args)).toBe(false);
  });
});

describe("message.send arguments", () => {
  it("needs one email address for email, and one-line subjects", () => {
    expect(ZMessageSend.safeParse({ channel: "email", to: "ana@example.com", text: "hi" }).success).toBe(true);
    expect(ZMessageSend.safeParse({ channel: "email", text: "hi" }).success).toBe(false);
    expect(ZMessageSend.safeParse({ channel: "email", to: "ana@example.com, bob@example.com", text: "hi" }).success).toBe(false);
    expect(ZMessageSend.safeParse({ channel: "email", to: "ana@example.com", subject: "a\r\nBcc: x@evil.test", text: "hi" }).success).toBe(
      false,
    );
    expect(ZMessageSend.safeParse({ channel: "slack", text: "hi" }).success).toBe(true);
    expect(ZMessageSend.safeParse({ channel: "sms", text: "hi" }).success).toBe(false);
    expect(ZMessageSend.safeParse({ channel: "webhook", text: "hi", url: "https://evil.test" }).success).toBe(false);
  });
});

describe("signatures", () => {
  it("signs webhook bodies as HMAC-SHA256 over timestamp.body", () => {
    const expected = createHmac("sha256", "s3cret").update('1700000000.{"text":"hi"}').digest("hex");
    expect(webhookSignature("s3cret", "1700000000", '{"text":"hi"}')).toBe(`sha256=${expected}`);
  });

  it("accepts Meta's X-Hub-Signature-256 only for the exact bytes and secret", () => {
    const body = Buffer.from('{"entry":[]}');
    const good = `sha256=${createHmac("sha256", "app-secret").update(body).digest("hex")}`;
    expect(isValidHubSignature("app-secret", body, good)).toBe(true);
    expect(isValidHubSignature("app-secret", body, good.toUpperCase().replace("SHA256=", "sha256="))).toBe(true);
    expect(isValidHubSignature("other-secret", body, good)).toBe(false);
    expect(isValidHubSignature("app-secret", Buffer.from('{"entry":[] }'), good)).toBe(false);
    expect(isValidHubSignature("app-secret", body, null)).toBe(false);
    expect(isValidHubSignature("app-secret", body, good.slice(0, -2))).toBe(false);
    expect(isValidHubSignature("app-secret", body, good.replace("sha256=", "sha1="))).toBe(false);
  });
});

describe("inbound payloads", () => {
  it("takes the text messages and skips other kinds and malformed entries", () => {
    const payload = {
      object: "whatsapp_business_account",
      entry: [
        {
          changes: [
            {
              field: "messages",
              value: {
                messages: [
                  { id: "wamid.1", from: "15550001111", type: "text", text: { body: "hello" } },
                  { id: "wamid.2", from: "15550001111", type: "image", image: { id: "x" } },
                  { id: "wamid.3", from: "not-a-number", type: "text", text: { body: "x" } },
                ],
              },
            },
            { field: "messages", value: { statuses: [{ id: "wamid.0", status: "delivered" }] } },
          ],
        },
        "garbage",
      ],
    };
    expect(textMessages(payload)).toEqual({ messages: [{ id: "wamid.1", from: "15550001111", text: "hello" }], skipped: 2 });
    expect(textMessages(null)).toEqual({ messages: [], skipped: 0 });
    expect(textMessages({ entry: { changes: 1 } })).toEqual({ messages: [], skipped: 0 });
  });
});

describe("scripted planner phrases", () => {
  const call = (message: string) => scriptedPlan(message, 0);

  it("maps send … to an email address, slack, or anything else (webhook)", () => {
    expect(call("send the report is ready to ana@example.com")).toEqual({
      call: { tool: "message.send", args: { channel: "email", to: "ana@example.com", text: "the report is ready" } },
    });
    expect(call('send "deploy done" to slack')).toEqual({
      call: { tool: "message.send", args: { channel: "slack", text: "deploy done" } },
    });
    expect(call("send hello to ops")).toEqual({ call: { tool: "message.send", args: { channel: "webhook", to: "ops", text: "hello" } } });
  });

  it("maps whatsapp phrasings to whatsapp.send", () => {
    const expected = { call: { tool: "whatsapp.send", args: { to: "+15551234567", text: "see you at 5" } } };
    expect(call("whatsapp see you at 5 to +15551234567")).toEqual(expected);
    expect(call("send a whatsapp see you at 5 to +15551234567")).toEqual(expected);
    expect(call("send see you at 5 to +15551234567 on whatsapp")).toEqual(expected);
    expect(call("whatsapp hi to +1 555 123 4567")).toEqual({
      call: { tool: "whatsapp.send", args: { to: "+1 555 123 4567", text: "hi" } },
    });
  });

  it("keeps the other phrases", () => {
    expect(call("transfer 10 EUR to Acme Corp")).toMatchObject({ call: { tool: "payments.transfer" } });
    expect(call("remember that the launch is Friday")).toMatchObject({ call: { tool: "memory.set" } });
  });
});
