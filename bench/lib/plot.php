<?php
// A PNG line plot through gnuplot (package gnuplot-nox, from scripts/deps.sh), with its data
// beside it as a .dat file (one block per series, the format gnuplot reads), so that a figure in
// the README can be checked against the numbers it was drawn from.

final class Plot
{
    /**
     * @param array<string, list<array{0: float, 1: float}>> $series name => points (x, y)
     * @param array{logx?: bool, logy?: bool, hline?: array{0: float, 1: string}, xtics?: list<float>} $options
     * @return string what was written, or why nothing was
     */
    public static function write(string $path, string $title, string $xlabel, string $ylabel, array $series, array $options = []): string
    {
        $data = preg_replace('/\.png$/', '.dat', $path);
        $blocks = [];
        foreach ($series as $name => $points) {
            $lines = ["# $name"];
            foreach ($points as [$x, $y]) {
                $lines[] = sprintf("%.6g\t%.6g", $x, $y);
            }
            $blocks[] = implode("\n", $lines);
        }
        file_put_contents($data, "# $title\n# x: $xlabel; y: $ylabel\n" . implode("\n\n\n", $blocks) . "\n");
        $gnuplot = trim((string) shell_exec('command -v gnuplot 2>/dev/null'));
        if ($gnuplot === '') {
            return "$data (no gnuplot: bash scripts/deps.sh installs gnuplot-nox; no PNG)";
        }
        $plots = [];
        $index = 0;
        foreach (array_keys($series) as $name) {
            // CPU-time series dashed, beside their wall-clock twin
            $dash = str_contains($name, '(CPU)') ? ' dt 2' : '';
            $plots[] = sprintf("'%s' index %d using 1:2 with linespoints lw 2%s pt 7 ps 0.8 title \"%s\"", $data, $index++, $dash, addcslashes($name, '"\\'));
        }
        if (isset($options['hline'])) {
            $plots[] = sprintf('%g with lines dt 2 lw 1.5 lc rgb "#aa0000" title "%s"', $options['hline'][0], addcslashes($options['hline'][1], '"\\'));
        }
        $script = implode("\n", [
            "set terminal pngcairo size 900,560 font 'DejaVu Sans,10'",
            sprintf("set output '%s'", $path),
            sprintf('set title "%s"', addcslashes($title, '"\\')),
            sprintf('set xlabel "%s"', addcslashes($xlabel, '"\\')),
            sprintf('set ylabel "%s"', addcslashes($ylabel, '"\\')),
            'set grid',
            'set autoscale xfix',
            isset($options['xtics']) ? 'set xtics (' . implode(', ', $options['xtics']) . ')' : '',
            'set offsets graph 0.02, graph 0.02, 0, 0',
            'set key top left',
            empty($options['logx']) ? '' : 'set logscale x',
            empty($options['logy']) ? 'set yrange [0:*]' : 'set logscale y',
            'set datafile commentschars "#"',
            'plot ' . implode(', ', $plots),
            '',
        ]);
        $process = proc_open([$gnuplot], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        fwrite($pipes[0], $script);
        fclose($pipes[0]);
        $errors = stream_get_contents($pipes[2]);
        stream_get_contents($pipes[1]);
        $code = proc_close($process);
        if ($code !== 0 || !is_file($path)) {
            throw new RuntimeException("gnuplot failed for $path: $errors");
        }
        return "$path and $data";
    }
}
