import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { checkTemplate, TemplateError } from '../../templates/load.js';
import { duration } from '../duration.js';
import { httpUrl } from '../types.js';

const ROBOT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Robots per channel: each is checked against its template files at every (re)load. */
export const MAX_ROBOTS_PER_CHANNEL = 100;
/** notify.timezone's default: where most of the exporter's users read its times. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
const TEMPLATE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const LANGUAGES = ['zh-CN', 'en'] as const;

const language = z.enum(LANGUAGES, { errorMap: () => ({ message: 'must be zh-CN or en' }) });

// A DateTimeFormat pulls about 5 MiB of ICU data into resident memory, for good; the list of canonical zones
// does not, and it holds the default. Aliases (UTC, Etc/UTC, PRC) still need the DateTimeFormat to be known.
let canonicalZones: Set<string> | undefined;

export function isTimeZone(value: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(value)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const timezone = z
  .string()
  .refine(isTimeZone, (value) => ({ message: `"${value}" is not an IANA time zone such as Asia/Shanghai or UTC` }));

const robotNameKey = z
  .string()
  .regex(ROBOT_NAME, 'robot names are 1-64 letters, digits, "_" or "-" (they appear in URLs and labels)');

const mobile = z.string().regex(/^\+?[0-9-]{5,20}$/, 'must be a phone number');
const userId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\s<>@]+$/, 'must be a user id without spaces, <, > or @');

const commonRobot = {
  /** Template files `<template>.<language>.yml` (templates_dir first, then the built-in ones). */
  template: z.string().regex(TEMPLATE_NAME, 'must be a template name (letters, digits, "_" or "-")').default('default'),
  /** Overrides notify.language for this robot. */
  language: language.optional(),
};

const dingtalkRobot = z
  .object({
    /** The robot's webhook URL (with its access_token). */
    url: httpUrl,
    /** "加签" secret; requests are then signed with timestamp and sign. */
    secret: z.string().min(1, 'must not be empty').optional(),
    /** A custom keyword of the robot's security settings, added to messages that lack it. */
    keyword: z.string().min(1, 'must not be empty').max(64).optional(),
    /** Whom a message mentions (@). */
    mention: z
      .object({
        /** Phone numbers of the group members to mention. */
        mobiles: z.array(mobile).max(50).default([]),
        /** DingTalk user ids to mention. */
        user_ids: z.array(userId).max(50).default([]),
        /** Mention everyone (@all). */
        all: z.boolean().default(false),
        /** Also mention on messages that only carry resolved alerts. */
        resolved: z.boolean().default(false),
      })
      .strict()
      .default({}),
    ...commonRobot,
  })
  .strict();

const wecomRobot = z
  .object({
    /** The robot's webhook URL (with its key). */
    url: httpUrl,
    /** WeCom markdown can mention user ids (<@userid>); it cannot mention mobiles or everyone. */
    mention: z
      .object({
        /** WeCom user ids to mention. */
        user_ids: z.array(userId).max(50).default([]),
        /** Also mention on messages that only carry resolved alerts. */
        resolved: z.boolean().default(false),
      })
      .strict()
      .default({}),
    ...commonRobot,
  })
  .strict();

const auth = z
  .object({
    /** A token of at least 16 characters (Authorization: Bearer). */
    bearer_token: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Basic auth user, with password. */
    username: z.string().min(1, 'must not be empty').optional(),
    /** Basic auth password, at least 8 characters. */
    password: z.string().min(8, 'must be at least 8 characters').optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const basic = value.username !== undefined || value.password !== undefined;
    if (value.bearer_token !== undefined && basic) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'give either bearer_token or username and password, not both',
      });
    } else if (basic && (value.username === undefined || value.password === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'basic auth needs both username and password' });
    } else if (!basic && value.bearer_token === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'needs bearer_token, or username and password' });
    }
  });

/** `channel/robot`, how notify.report.to names a configured robot. */
export const ROBOT_REF = /^(dingtalk|wecom)\/([A-Za-z0-9_-]{1,64})$/;

/** `notify.report`: the doctor's diagnosis sent to robots every day at `schedule` (the daily inspection). */
const report = z
  .object({
    /** Time of day, 24-hour HH:MM, in `timezone`. */
    schedule: z
      .string()
      .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time of day HH:MM (24-hour), such as 08:30'),
    /** Defaults to notify.timezone. */
    timezone: timezone.optional(),
    /** Defaults to notify.language. */
    language: language.optional(),
    /** The Prometheus that scrapes this exporter: the report adds the last day's trends (disk fill-up, peak connections, failed test conversions). */
    prometheus_url: httpUrl.optional(),
    /** Robots as dingtalk/<name> or wecom/<name>; each gets one message. */
    to: z
      .array(z.string().regex(ROBOT_REF, 'must be dingtalk/<robot> or wecom/<robot>'))
      .min(1, 'must name at least one robot')
      .max(2 * MAX_ROBOTS_PER_CHANNEL),
  })
  .strict();

/**
 * `notify`: receivers for Alertmanager's webhook that deliver to DingTalk and WeCom group robots.
 * Absent or without robots, nothing is served and nothing is sent.
 */
export const notifySection = z
  .object({
    /**
     * What Alertmanager must send to /notify/...: `bearer_token` (at least 16 characters), or `username` and
     * `password`. Required once a robot is configured.
     */
    auth: auth.optional(),
    /** Language of the messages: zh-CN or en. */
    language: language.default('zh-CN'),
    /** IANA time zone of the times shown in robot messages, the report, the status page and the doctor. */
    timezone: timezone.default(DEFAULT_TIME_ZONE),
    /** A folder of `<template>.<language>.yml` files overriding the built-in ones, read at (re)load. */
    templates_dir: z.string().min(1).optional(),
    /** Labels shown for each alert, in this order; empty: every label but alertname and severity. */
    labels: z.array(z.string().min(1)).default([]),
    /** Largest webhook body accepted (Alertmanager's payload); larger ones get 413. */
    max_request_bytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(2 * 1024 * 1024),
    /** Timeout of one request to a robot. */
    timeout: duration.default('5s'),
    /** Per robot; both DingTalk and WeCom allow 20 messages a minute. */
    rate_limit: z
      .object({
        /** Messages per window to one robot. */
        messages: z.number().int().positive().max(1000).default(20),
        /** The window of rate_limit.messages. */
        window: duration.default('1m'),
      })
      .strict()
      .default({}),
    /** Backoff between attempts after a failed delivery: doubles from initial_backoff up to max_backoff. */
    retry: z
      .object({
        /** First pause after a failed delivery. */
        initial_backoff: duration.default('1s'),
        /** Longest pause; not shorter than initial_backoff. */
        max_backoff: duration.default('1m'),
      })
      .strict()
      .default({}),
    /** What may wait for each robot; when full, Alertmanager gets 503 and retries. */
    queue: z
      .object({
        /** Alerts waiting per robot (after coalescing); a notification that does not fit gets 503. */
        max_alerts: z.number().int().positive().max(100_000).default(2000),
        /**
         * Bytes of alert text waiting per robot (2 per UTF-16 code unit of labels and annotations, as kept: cut to what a
         * message can show); a notification that does not fit gets 503. One is always taken by an empty queue.
         */
        max_bytes: z
          .number()
          .int()
          .min(64 * 1024, 'must be at least 65536 (64 KiB)')
          .max(1024 * 1024 * 1024, 'must be at most 1073741824 (1 GiB)')
          .default(32 * 1024 * 1024),
        /** After this many failed deliveries in a row, new notifications get 503 until the robot recovers. */
        refuse_after_failures: z.number().int().positive().default(3),
      })
      .strict()
      .default({}),
    /** DingTalk group robots by name (used in /notify/dingtalk/<name> and labels); at most 100. */
    dingtalk: z.record(robotNameKey, dingtalkRobot).default({}),
    /** WeCom group robots by name (used in /notify/wecom/<name> and labels); at most 100. */
    wecom: z.record(robotNameKey, wecomRobot).default({}),
    /** The daily inspection report; off when absent. */
    report: report.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    value.report?.to.forEach((to, index) => {
      const match = ROBOT_REF.exec(to);
      if (!match) return;
      const [, channel, name] = match;
      if (!Object.hasOwn(value[channel as 'dingtalk' | 'wecom'], name!)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['report', 'to', index],
          message: `${to} is not a configured robot`,
        });
      }
    });
    const robots = [...Object.entries(value.dingtalk), ...Object.entries(value.wecom)];
    if (robots.length === 0) return;
    let tooMany = false;
    for (const channel of ['dingtalk', 'wecom'] as const) {
      const count = Object.keys(value[channel]).length;
      if (count <= MAX_ROBOTS_PER_CHANNEL) continue;
      tooMany = true;
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [channel],
        message: `at most ${MAX_ROBOTS_PER_CHANNEL} robots, not ${count}`,
      });
    }
    // Not worth checking thousands of templates for a configuration that is refused anyway.
    if (tooMany) return;
    if (value.auth === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['auth'],
        message: 'is required when robots are configured: bearer_token, or username and password',
      });
    }
    if (value.retry.max_backoff < value.retry.initial_backoff) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['retry', 'max_backoff'],
        message: 'must not be shorter than initial_backoff',
      });
    }
    if (
      value.templates_dir !== undefined &&
      !(existsSync(value.templates_dir) && statSync(value.templates_dir).isDirectory())
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['templates_dir'],
        message: `${value.templates_dir} is not a readable folder`,
      });
      return;
    }
    for (const channel of ['dingtalk', 'wecom'] as const) {
      for (const [name, robot] of Object.entries(value[channel])) {
        try {
          checkTemplate(robot.template, robot.language ?? value.language, value.templates_dir);
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: [channel, name, 'template'], message: error.message });
        }
      }
    }
  });

export type NotifyConfig = z.infer<typeof notifySection>;
export type DingTalkRobotConfig = z.infer<typeof dingtalkRobot>;
export type WeComRobotConfig = z.infer<typeof wecomRobot>;
export type ReportConfig = z.infer<typeof report>;
export type NotifyLanguage = (typeof LANGUAGES)[number];
