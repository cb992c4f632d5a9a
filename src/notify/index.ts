// Alert delivery to DingTalk and WeCom group robots: Alertmanager webhook receivers, queue, limits, metrics.
export { createNotifier, type Notifier } from './notifier.js';
export { NOTIFY_ROUTE, notifyRoutes } from './receiver.js';
