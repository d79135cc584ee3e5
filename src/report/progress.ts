import cliProgress from 'cli-progress';
import pc from 'picocolors';

/** Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorsFor(stream: NodeJS.WriteStream): ReturnType<typeof pc.createColors> {
  const on = Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
  return pc.createColors(on);
}

export interface Progress {
  /** A stage of `total` steps; in 'octets' (bytes read), shown as a percentage. */
  stage(label: string, total: number, unit?: 'octets'): void;
  tick(n?: number): void;
  done(): void;
}

const silent: Progress = { stage() {}, tick() {}, done() {} };

/**
 * A progress bar on stderr (reading, checking, writing) when stderr is a terminal; silent otherwise and
 * with --quiet, so that logs and pipes stay clean.
 */
export function progressBar(quiet: boolean | undefined, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (quiet || !stream.isTTY) return silent;
  const c = colorsFor(stream);
  let bar: cliProgress.SingleBar | undefined;
  return {
    stage(label, total, unit) {
      bar?.stop();
      const count = unit === 'octets' ? '{percentage} %' : '{value}/{total}';
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${c.cyan('{stage}')} ${c.dim('[')}{bar}${c.dim(']')} ${count}`,
          barsize: 30,
          hideCursor: true,
          clearOnComplete: false,
          noTTYOutput: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(total, 1), 0, { stage: label.padEnd(22) });
    },
    tick(n = 1) {
      bar?.increment(n);
    },
    done() {
      bar?.stop();
      bar = undefined;
    },
  };
}
