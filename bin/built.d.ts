/** dist/ was built no earlier than the newest change under src/, so it may stand in for the sources. */
export function builtIsCurrent(): boolean;
