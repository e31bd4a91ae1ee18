import type { LoggerService } from '@nestjs/common';

export interface LogLine {
  readonly level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  /** Message and every extra argument given (stack, context), joined with ` | `. */
  readonly text: string;
}

/** Collects what Nest's `Logger` writes: `app.useLogger(logs)` or `Logger.overrideLogger(logs)`. */
export class CaptureLogger implements LoggerService {
  readonly lines: LogLine[] = [];

  log(...args: unknown[]): void {
    this.push('log', args);
  }
  error(...args: unknown[]): void {
    this.push('error', args);
  }
  warn(...args: unknown[]): void {
    this.push('warn', args);
  }
  debug(...args: unknown[]): void {
    this.push('debug', args);
  }
  verbose(...args: unknown[]): void {
    this.push('verbose', args);
  }
  fatal(...args: unknown[]): void {
    this.push('fatal', args);
  }

  of(level: LogLine['level']): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.text);
  }

  private push(level: LogLine['level'], args: unknown[]): void {
    const present = args.filter((arg) => arg !== undefined);
    this.lines.push({ level, text: present.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : String(arg))).join(' | ') });
  }
}
