// The size-limit plugins ship no declarations. Each is an array of plugin objects; size-limit's own
// declaration of its API calls them functions, so they are declared as what that API accepts.
declare module '@size-limit/esbuild' {
  const plugin: (...args: unknown[]) => unknown;
  export default plugin;
}
declare module '@size-limit/file' {
  const plugin: (...args: unknown[]) => unknown;
  export default plugin;
}
