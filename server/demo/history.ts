/**
 * A few weeks of remediation work on the demo organisation's scanner findings (issue 14), applied through the
 * lifecycle module (server/findings/lifecycle.ts, the only writer of finding state and history) with past timestamps,
 * between the two scan rounds of ./scans.ts:
 * - demo people: two developers per owning team and two security engineers (created here when the demo has none;
 *   they have no password at all — no credential account — so nobody can sign in as them until an admin resets one
 *   in Settings → People);
 * - findings assigned to people of the owning team (unowned ones to security), triaged, in progress, accepted with an
 *   expiry (some within 14 days of `now`), false positives (one still a developer's proposal), resolved, comments.
 *
 * Deterministic: findings are taken in fingerprint order and shuffled with the demo PRNG.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "@/server/db/client";
import { addComment, applyDecision, assignFindings, type EventActor, propose } from "@/server/findings/lifecycle";
import { createRng, seedFrom } from "./prng";

const DAY_MS = 86_400_000;
const FIRST = ["Alex", "Priya", "Jonas", "Mei", "Sam", "Ines", "Tomás", "Aisha", "Lukas", "Noor", "Ravi", "Elena", "Kofi", "Hana", "Marco", "Yuki"];
const LAST = ["Berg", "Okafor", "Novak", "Lindqvist", "Moreau", "Tanaka", "Silva", "Haddad", "Kowalski", "Fischer", "Costa", "Nakamura"];

interface Person {
  id: string;
  email: string;
}

/** Demo people per owning team (developers) and security engineers; existing people of those teams are reused. */
async function demoPeople(prisma: Db, seed: number): Promise<{ byTeam: Map<string, Person[]>; security: Person[] }> {
  const rng = createRng(seedFrom(seed, 0x9e091e));
  const teams = await prisma.team.findMany({
    where: { apis: { some: {} } },
    select: { id: true, slug: true, members: { select: { user: { select: { id: true, email: true, role: true, deactivatedAt: true } } } } },
    orderBy: { slug: "asc" },
  });
  const byTeam = new Map<string, Person[]>();
  const used = new Set((await prisma.user.findMany({ select: { email: true } })).map((u) => u.email));
  const person = async (role: "developer" | "security", teamId: string | null): Promise<Person> => {
    let name = "";
    let email = "";
    do {
      name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
      email = `${name.toLowerCase().normalize("NFD").replace(/[^a-z ]/g, "").replace(" ", ".")}@northwind.example`;
    } while (used.has(email));
    used.add(email);
    const id = randomUUID();
    // No account row: no password exists, so no one can sign in as a demo person until an admin sets one.
    await prisma.user.create({
      data: { id, email, name, role, emailVerified: true, ...(teamId ? { memberships: { create: [{ teamId }] } } : {}) },
    });
    return { id, email };
  };
  for (const team of teams) {
    const members = team.members.map((m) => m.user).filter((u) => !u.deactivatedAt && u.role === "developer");
    const people: Person[] = members.map((m) => ({ id: m.id, email: m.email }));
    while (people.length < 2) people.push(await person("developer", team.id));
    byTeam.set(team.id, people);
  }
  const existing = await prisma.user.findMany({ where: { role: "security", deactivatedAt: null }, select: { id: true, email: true }, orderBy: { email: "asc" } });
  const security: Person[] = [...existing];
  while (security.length < 2) security.push(await person("security", null));
  return { byTeam, security };
}

type Fate = "open" | "assigned" | "triaged" | "in_progress" | "accepted_soon" | "accepted" | "false_positive" | "proposed" | "resolved";
const FATES: [Fate, number][] = [
  ["open", 16],
  ["assigned", 14],
  ["triaged", 10],
  ["in_progress", 14],
  ["accepted_soon", 5],
  ["accepted", 6],
  ["false_positive", 7],
  ["proposed", 3],
  ["resolved", 25],
];

/**
 * Applies the work between the rounds to the open scan findings: `from` is the first round's time, `until` the second's
 * (every change happens in between), `now` the load's present (acceptance expiries are relative to it).
 */
export async function applyDemoHistory(prisma: Db, options: { seed: number; from: Date; until: Date; now: Date }): Promise<void> {
  const { byTeam, security } = await demoPeople(prisma, options.seed);
  const rng = createRng(seedFrom(options.seed, 0x415700));
  const findings = await prisma.finding.findMany({
    where: { kind: "scan", status: "open" },
    select: { id: true, api: { select: { ownerTeamId: true } } },
    orderBy: { fingerprint: "asc" },
  });
  const span = options.until.getTime() - options.from.getTime();
  const at = (fraction: number) => new Date(options.from.getTime() + Math.round(span * fraction));
  const user = (p: Person): EventActor => ({ type: "user", id: p.id });

  // Plan: each finding's fate and its person (someone of the owning team; security for unowned ones).
  const groups = new Map<string, { fate: Fate; person: Person; ids: string[] }>();
  for (const f of rng.shuffle(findings)) {
    const fate = rng.weighted(FATES);
    const team = f.api?.ownerTeamId ? byTeam.get(f.api.ownerTeamId) : undefined;
    const person = rng.pick(team ?? security);
    const key = `${fate}|${person.id}`;
    const group = groups.get(key) ?? { fate, person, ids: [] };
    group.ids.push(f.id);
    groups.set(key, group);
  }
  const lead = security[0]!;
  const soon = new Date(options.now.getTime() + 9 * DAY_MS);
  const later = new Date(options.now.getTime() + 75 * DAY_MS);

  await prisma.$transaction(
    async (tx) => {
      for (const { fate, person, ids } of [...groups.values()].sort((a, b) => a.fate.localeCompare(b.fate) || a.person.id.localeCompare(b.person.id))) {
        if (fate === "open") continue;
        await assignFindings(tx, ids, person, user(lead), at(0.05));
        if (fate === "assigned") continue;
        if (fate !== "accepted" && fate !== "accepted_soon") await applyDecision(tx, ids, { to: "triaged" }, user(person), at(0.15));
        switch (fate) {
          case "in_progress":
            await applyDecision(tx, ids, { to: "in_progress" }, user(person), at(0.3));
            await addComment(tx, ids[0]!, "Fix is in review: https://git.northwind.example/pulls/" + (1000 + ids.length), user(person), at(0.35));
            break;
          case "accepted_soon":
          case "accepted":
            await applyDecision(
              tx,
              ids,
              {
                to: "risk_accepted",
                reason: fate === "accepted_soon" ? "Compensating WAF rule until the Q1 migration" : "Internal-only endpoint behind the gateway; accepted by the risk board",
                approverId: lead.id,
                acceptedUntil: fate === "accepted_soon" ? soon : later,
              },
              user(lead),
              at(0.4),
            );
            break;
          case "false_positive":
            await applyDecision(tx, ids, { to: "false_positive", reason: "The scanner read a documented test fixture, not a live response" }, user(lead), at(0.45));
            break;
          case "proposed":
            for (const id of ids) await propose(tx, id, "false_positive", "This endpoint never returns user data; the match is a sample payload", user(person), at(0.5));
            break;
          case "resolved":
            await applyDecision(tx, ids, { to: "in_progress" }, user(person), at(0.25));
            await applyDecision(tx, ids, { to: "resolved", reason: "Fixed and deployed" }, user(person), at(0.7));
            break;
          default:
            break;
        }
      }
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
