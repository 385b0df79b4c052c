// Test controls under /__emulator: not part of the product. They let tests and benchmarks in
// other processes read the request log, inject faults, move the clock and seed logged-in users.
import type { FastifyInstance } from "fastify";
import type { Clock } from "./clock";
import type { Faults } from "./faults";
import { Problem } from "./problem";
import type { RequestLog } from "./requestLog";
import type { Store } from "./store";
import { signInUser } from "./accessManagement/accounts";
import type { Catalog } from "./accessManagement/catalog";
import { AmError } from "./accessManagement/errors";
import { userView } from "./accessManagement/views";
import type { SeedUser } from "./types";

export const controlsPrefix = "/__emulator";

export function registerControls(
  app: FastifyInstance,
  deps: { log: RequestLog; faults: Faults; clock: Clock; store: Store; catalog: Catalog },
) {
  app.get(`${controlsPrefix}/requests`, async () => deps.log.entries());
  app.delete(`${controlsPrefix}/requests`, async (_request, reply) => {
    deps.log.clear();
    return reply.code(204).send();
  });
  app.get(`${controlsPrefix}/faults`, async () => deps.faults.current());
  app.put(`${controlsPrefix}/faults`, async (request) => {
    try {
      deps.faults.set((request.body ?? {}) as never);
    } catch (error) {
      throw new Problem(400, (error as Error).message);
    }
    return deps.faults.current();
  });
  app.post(`${controlsPrefix}/clock`, async (request) => {
    const seconds = (request.body as { advanceSeconds?: unknown } | undefined)?.advanceSeconds;
    if (typeof seconds !== "number" || !Number.isFinite(seconds)) throw new Problem(400, 'Send {"advanceSeconds": <number>}.');
    deps.clock.advance(seconds);
    return { now: deps.clock.now().toISOString() };
  });
  // A user signs in through an identity provider: from then on Access Management lists them.
  app.post(`${controlsPrefix}/logged-in-users`, async (request, reply) => {
    try {
      const { account, created } = signInUser(deps.store, deps.catalog, request.body as SeedUser, deps.clock.now());
      return reply.code(created ? 201 : 200).send(userView(deps.catalog, account));
    } catch (error) {
      if (error instanceof AmError) throw new Problem(400, error.message);
      throw error;
    }
  });
}
