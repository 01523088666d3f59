/** The API's fold of the hyperparameter searches (issue 15). */
export const SEARCHES = Symbol('SearchDirectory');
