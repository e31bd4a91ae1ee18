import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps every line: `beforeInit: (app) => app.useLogger(logs)`. */
export class CaptureLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];

  log(message: unknown, context?: string): void {
    this.push('log', message, context);
  }
  error(message: unknown, _trace?: string, context?: string): void {
    this.push('error', message, context);
  }
  warn(message: unknown, context?: string): void {
    this.push('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.push('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.push('verbose', message, context);
  }

  /** Messages at one level, optionally only those containing `text`. */
  at(level: string, text = ''): string[] {
    return this.lines.filter((line) => line.level === level && line.message.includes(text)).map((line) => line.message);
  }

  clear(): void {
    this.lines.length = 0;
  }

  private push(level: string, message: unknown, context?: string): void {
    this.lines.push({ level, message: typeof message === 'string' ? message : JSON.stringify(message), context });
  }
}
