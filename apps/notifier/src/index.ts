// Public surface of the notifier (issue 15), for an all-in-one process and for receivers' tests.
export { startNotifierService, type NotifierService } from './notifier-service';
export { DEFAULT_NOTIFIER_OPTIONS, notifierOptionsFromEnv, type NotifierOptions } from './notifier-options';
export { signWebhook, verifyWebhook } from './webhook-signature';
