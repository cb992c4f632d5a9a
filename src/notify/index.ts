// Alert delivery to DingTalk and WeCom group robots: Alertmanager webhook receivers, queue, limits, metrics.
export { createNotifier, type Notifier } from './notifier.js';
export { notifyRoutes } from './receiver.js';
