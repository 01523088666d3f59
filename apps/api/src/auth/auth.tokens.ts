/** Injection tokens of the auth module. */
export const AUTHENTICATOR = Symbol('Authenticator');
export const IDENTITY = Symbol('IdentityDirectory');
