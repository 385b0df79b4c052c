// Two stacks (two teams' pipelines, each with its own backend) deploy the same add-on id with the
// same bytes at the same time. One wins; the other fails saying that another stack or a person
// owns the add-on, and nothing is lost: the winner's add-on, configuration and state stay as they
// are, also when the loser runs again. Never a silent take-over.
import test from "ava";
import { startTestEmulator } from "../helpers/emulator";
import { ADDON_ID, assertAddonConverged, KillProject } from "./killMatrix";

test("two stacks racing for one add-on id: one wins, the other is told who owns it, nothing is lost", async (t) => {
  t.timeout(300_000);
  // Activation takes a while, so both runs are inside the provider at the same time.
  const emulator = await startTestEmulator({ productVersion: "10", activationDelayMs: 1500 });
  const teams: KillProject[] = [];
  t.teardown(async () => {
    for (const team of teams) await team.close();
    await emulator.close();
  });
  for (const stack of ["team-a", "team-b"]) teams.push(await KillProject.create("addon", { emulator, stack }));
  const runs = await Promise.all(teams.map((team) => team.run(["up", "--yes", "--non-interactive", "--skip-preview"])));
  const winners = runs.map((r, i) => (r.code === 0 ? i : -1)).filter((i) => i >= 0);
  if (winners.length !== 1) {
    t.fail(
      `exactly one run must succeed; exit codes ${runs.map((r) => r.code).join(", ")}:\n${runs.map((r) => r.output.slice(-3000)).join("\n---\n")}`,
    );
    return;
  }
  const [winner, loser] = winners[0] === 0 ? [teams[0], teams[1]] : [teams[1], teams[0]];
  const lost = runs[winners[0] === 0 ? 1 : 0].output;
  t.regex(lost, new RegExp(`Cannot create the add-on "${ADDON_ID}": the Add-ons Service already holds an add-on with that id`));
  t.regex(lost, /another stack or a person owns it/);
  t.regex(lost, /Fix: if this stack should own it, set `adopt: true`/);

  await assertAddonConverged(t, winner, { threshold: 5 });
  t.deepEqual(await loser.state(), [], "the loser's state holds no add-on");
  const before = await winner.state();

  // The loser tries again: the same refusal, the winner's add-on untouched.
  const again = await loser.run(["up", "--yes", "--non-interactive", "--skip-preview"]);
  t.not(again.code, 0);
  t.regex(again.output, /another stack or a person owns it/);
  await assertAddonConverged(t, winner, { threshold: 5 });
  t.deepEqual(await winner.state(), before);
  await winner.assertNoChanges(t, true);
});
