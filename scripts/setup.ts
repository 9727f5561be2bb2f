/**
 * First-run set-up, run by `npm start` before the web server takes the database: applies migrations, creates the
 * first admin on an empty database, and loads the demo organisation (unless POSTERN_DEMO=off).
 */
import { describeTarget } from "../server/db/config";
import { openDatabase } from "../server/db/client";
import { loadDemoOrganisation } from "../server/demo/load";
import { createUser, generatePassword } from "../server/people/service";

const db = await openDatabase();
try {
  console.log(`postern: database ready (${describeTarget(db.target)})`);
  // Opening the database marked the runs whose process is gone (server/ingest/runs.ts).
  const interrupted = db.interruptedRuns;
  if (interrupted) console.log(`postern: ${interrupted} ingest run(s) left running by a stopped process marked as interrupted (nothing of them was stored)`);
  if ((await db.prisma.user.count()) === 0) {
    const email = process.env.POSTERN_ADMIN_EMAIL ?? "admin@postern.local";
    const given = process.env.POSTERN_ADMIN_PASSWORD;
    const password = given ?? generatePassword();
    const admin = await createUser(db.prisma, { email, name: "Administrator", role: "admin", password });
    console.log(`postern: created admin ${email}`);
    if (!given) {
      // A printed password has been on a terminal and in logs: the first sign-in asks for a new one.
      await db.prisma.user.update({ where: { id: admin.id }, data: { mustChangePassword: true } });
      console.log(`postern: admin password (shown once; you will be asked to change it at first sign-in): ${password}`);
    }
  }
  const demo = (process.env.POSTERN_DEMO ?? "on").toLowerCase();
  if (demo !== "off" && (await db.prisma.api.count()) === 0) {
    const apis = Number(process.env.POSTERN_DEMO_APIS ?? 40);
    const summary = await loadDemoOrganisation(db.prisma, { apis });
    console.log(`postern: loaded demo organisation: ${summary}`);
  }
} finally {
  await db.close();
}
