/** Scrapes, probes and static files: not timed, not traced, since they would swamp the requests people make. */
export const UNOBSERVED_PATHS = /^\/(metrics|healthz|readyz)\/?$|^\/static(\/|$)/;
