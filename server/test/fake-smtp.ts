// A local stand-in for an SMTP server, on 127.0.0.1 (port 0), speaking just enough
// ESMTP for nodemailer: EHLO, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, RSET, NOOP,
// QUIT. It offers no STARTTLS (a client that insists gets 502). Every session is
// recorded: the credentials it presented, the envelope and the raw message.
import net, { type AddressInfo } from "node:net";

export type TSmtpSession = {
  auth: { method: string; username: string; password: string; isAccepted: boolean } | null;
  commands: string[];
  from: string | null;
  to: string[];
  /** The message as sent after DATA (headers and body), dot-unstuffed. */
  data: string | null;
};

export class FakeSmtp {
  readonly sessions: TSmtpSession[] = [];
  /** The only credentials accepted. */
  credentials = { username: "mailer", password: "mail-pass" };
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor() {
    this.server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      this.serve(socket);
    });
  }

  static async start(): Promise<FakeSmtp> {
    const fake = new FakeSmtp();
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Sessions that got as far as a message. */
  get messages(): TSmtpSession[] {
    return this.sessions.filter((session) => session.data !== null);
  }

  reset(): void {
    this.sessions.length = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    const session: TSmtpSession = { auth: null, commands: [], from: null, to: [], data: null };
    this.sessions.push(session);
    let buffer = "";
    let mode: "command" | "data" | "login-user" | "login-pass" = "command";
    let loginUser = "";
    const reply = (line: string) => socket.write(`${line}\r\n`);
    const authenticate = (method: string, username: string, password: string) => {
      const isAccepted = username === this.credentials.username && password === this.credentials.password;
      session.auth = { method, username, password, isAccepted };
      reply(isAccepted ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
    };
    const decode = (value: string) => Buffer.from(value, "base64").toString("utf8");

    const onLine = (line: string) => {
      if (mode === "login-user") {
        loginUser = decode(line);
        mode = "login-pass";
        reply("334 UGFzc3dvcmQ6");
        return;
      }
      if (mode === "login-pass") {
        mode = "command";
        authenticate("LOGIN", loginUser, decode(line));
        return;
      }
      session.commands.push(line.replace(/^(AUTH \w+) .*/i, "$1 ***"));
      const verb = line.split(" ")[0]?.toUpperCase() ?? "";
      if (verb === "EHLO") socket.write("250-fake.smtp.test\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
      else if (verb === "HELO") reply("250 fake.smtp.test");
      else if (verb === "STARTTLS") reply("502 5.5.1 STARTTLS is not offered here");
      else if (verb === "AUTH") {
        const [, method = "", initial] = line.split(" ");
        if (method.toUpperCase() === "PLAIN") {
          if (!initial) return reply("334 ");
          const [, username = "", password = ""] = decode(initial).split("\u0000");
          authenticate("PLAIN", username, password);
        } else if (method.toUpperCase() === "LOGIN") {
          mode = "login-user";
          reply("334 VXNlcm5hbWU6");
        } else reply("504 5.5.4 Unrecognized authentication type");
      } else if (verb === "MAIL") {
        if (!session.auth?.isAccepted) return reply("530 5.7.0 Authentication required");
        session.from = /<([^>]*)>/.exec(line)?.[1] ?? null;
        reply("250 2.1.0 OK");
      } else if (verb === "RCPT") {
        session.to.push(/<([^>]*)>/.exec(line)?.[1] ?? "");
        reply("250 2.1.5 OK");
      } else if (verb === "DATA") {
        mode = "data";
        reply("354 End data with <CR><LF>.<CR><LF>");
      } else if (verb === "RSET" || verb === "NOOP") reply("250 2.0.0 OK");
      else if (verb === "QUIT") {
        reply("221 2.0.0 Bye");
        socket.end();
      } else reply("500 5.5.2 Unknown command");
    };

    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (mode === "data") {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end === -1) return;
          session.data = buffer
            .slice(0, end)
            .split("\r\n")
            .map((line) => (line.startsWith("..") ? line.slice(1) : line))
            .join("\r\n");
          buffer = buffer.slice(end + 5);
          mode = "command";
          reply("250 2.0.0 OK queued as FAKE123");
          continue;
        }
        const newline = buffer.indexOf("\r\n");
        if (newline === -1) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        onLine(line);
      }
    });
    socket.on("error", () => undefined);
    reply("220 fake.smtp.test ESMTP ready");
  }
}
