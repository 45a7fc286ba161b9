/**
 * Version of the engine (the `version` of package.json; a test keeps the two equal). The worker
 * reports it in its handshake, so the UI shows which engine produced what it draws.
 */
export const ENGINE_VERSION = '0.1.0'
