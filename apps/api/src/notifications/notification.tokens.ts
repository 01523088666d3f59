/** The subscription directory (issue 15): folded subscriptions, their commands. */
export const SUBSCRIPTIONS = Symbol('SubscriptionDirectory');
