import { format } from "date-fns";
import { userIdOf } from "@/server/principals";

/** "user:ada@example.com" reads as the email; agents keep their prefix. */
export function actorLabel(actor: string): string {
  return userIdOf(actor) ?? actor;
}

export function when(date: Date): string {
  return format(date, "yyyy-MM-dd HH:mm");
}

/** A version's content as text: strings as they are, anything else as indented JSON. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return JSON.stringify(content, null, 2) ?? "";
}
