import bcrypt from "bcryptjs";

const COST = 12;
// Compared against when no user matches, so a wrong email costs as long as a wrong password.
const DUMMY_HASH = "$2b$12$X2enSsGj6Y0148S5QCljWOqOFhC9gV98Xuh8lj7REQUUJTDtsOqge";

export const PASSWORD_MIN_LENGTH = 10;

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const matches = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return matches && Boolean(hash);
}
