import type { LoggerService } from '@nestjs/common';

/** A logger that records what nest-warden logs: `createApp(..., { beforeInit: (app) => app.useLogger(logs) })`. */
export class LogCapture implements LoggerService {
  readonly entries: { level: string; message: string }[] = [];

  log(message: unknown) {
    this.entries.push({ level: 'log', message: String(message) });
  }
  error(message: unknown, ...rest: unknown[]) {
    this.entries.push({ level: 'error', message: [message, ...rest].map(String).join(' ') });
  }
  warn(message: unknown) {
    this.entries.push({ level: 'warn', message: String(message) });
  }
  debug() {}
  verbose() {}

  /** Everything logged, as one string (to assert that a secret never appears in it). */
  get text(): string {
    return this.entries.map((entry) => entry.message).join('\n');
  }

  messages(level: string): string[] {
    return this.entries.filter((entry) => entry.level === level).map((entry) => entry.message);
  }
}
