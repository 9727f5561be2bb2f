import { oidcConfig } from "@/server/auth/oidc";
import { meOutput, signInOptionsOutput } from "@/server/auth/schemas";
import { authorized, publicProcedure, router } from "../trpc";

export const meRouter = router({
  get: authorized("app:use")
    .output(meOutput)
    .query(async ({ ctx }) => {
      const user = await ctx.prisma.user.findUniqueOrThrow({
        where: { id: ctx.actor.userId },
        select: { email: true, name: true, role: true, memberships: { select: { team: { select: { slug: true, name: true } } } } },
      });
      return { email: user.email, name: user.name, role: ctx.actor.role, teams: user.memberships.map((m) => m.team) };
    }),
  /** Public on purpose: the sign-in page's choices (the identity provider's name when one is configured). */
  signInOptions: publicProcedure.output(signInOptionsOutput).query(() => {
    const oidc = oidcConfig();
    return { provider: oidc ? { name: oidc.name } : null };
  }),
});
