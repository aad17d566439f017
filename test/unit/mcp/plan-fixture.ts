/**
 * Plans for the plan tool tests: a small one with every feature (contracts, dependencies, a
 * task waiting on two others) and a big one that no single result can show.
 */

/** Sign-in: two phases, four tasks, one contract; e2e waits on the route and the form, page on the form. */
export const signIn = {
  title: 'Sign-in',
  description: 'Passwordless sign-in for the web app.',
  contracts: [{ id: 'login-api', kind: 'api', name: 'POST /api/login', file: 'src/server/login.ts', symbol: 'loginRoute', spec: 'Body {"email": string}. 204 when a link was sent; 422 {"error": string} for a bad address.' }],
  phases: [
    {
      id: 'server', title: 'Server',
      tasks: [{ id: 'login-route', title: 'Login route sends the link', detail: 'Validate the address, store a one-time token, send the mail.', files: ['src/server/**'], contracts: ['login-api'] }],
    },
    {
      id: 'web', title: 'Web',
      tasks: [
        { id: 'login-form', title: 'Login form', detail: 'Posts the address, shows the result.', files: ['web/login/**'], contracts: ['login-api'] },
        { id: 'login-page', title: 'Login page', files: ['web/pages/login.tsx'], dependsOn: ['login-form'] },
        { id: 'e2e', title: 'End-to-end test', files: ['test/e2e/login.spec.ts'], dependsOn: ['login-route', 'login-form'] },
      ],
    },
  ],
};

/** A plan of `phases` × `perPhase` tasks with long titles: many pages of mesh_plan. */
export function bigPlan(phases = 10, perPhase = 30) {
  return {
    title: 'Big',
    phases: Array.from({ length: phases }, (_, p) => ({
      id: `phase-${p}`, title: `Phase ${p} `.padEnd(120, 'p'),
      tasks: Array.from({ length: perPhase }, (_, t) => ({
        id: `t-${p}-${t}`, title: `Task ${p}.${t} "quoted" `.padEnd(190, 'x'), files: [`src/p${p}/t${t}.ts`],
        dependsOn: t > 0 ? [`t-${p}-${t - 1}`] : [],
      })),
    })),
  };
}
