import { z } from "zod";
import {
  addMember,
  createTeam,
  createTeamInput,
  getTeamAdmin,
  listTeamsAdmin,
  memberInput,
  removeMember,
  renameTeam,
  renameTeamInput,
  teamChangeOutput,
  teamDetailOutput,
  teamListOutput,
  teamSlugInput,
} from "@/server/people/teams";
import { authorized, router } from "../trpc";

// Settings → Teams: admins only (teams:admin); every change audited in the service.
const admin = authorized("teams:admin");

export const teamsRouter = router({
  list: admin.input(z.object({}).optional()).output(teamListOutput).query(({ ctx }) => listTeamsAdmin(ctx.prisma, ctx.actor)),
  get: admin.input(teamSlugInput).output(teamDetailOutput).query(({ ctx, input }) => getTeamAdmin(ctx.prisma, ctx.actor, input)),
  create: admin.input(createTeamInput).output(teamChangeOutput).mutation(({ ctx, input }) => createTeam(ctx.prisma, ctx.actor, input)),
  rename: admin.input(renameTeamInput).output(teamChangeOutput).mutation(({ ctx, input }) => renameTeam(ctx.prisma, ctx.actor, input)),
  addMember: admin.input(memberInput).output(teamChangeOutput).mutation(({ ctx, input }) => addMember(ctx.prisma, ctx.actor, input)),
  removeMember: admin.input(memberInput).output(teamChangeOutput).mutation(({ ctx, input }) => removeMember(ctx.prisma, ctx.actor, input)),
});
