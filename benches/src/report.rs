//! The report: `BENCHMARKS.md`, also printed by the runner.

use std::fmt::Write as _;

use crate::machine::Machine;
use crate::progs;
use crate::run::{Outcome, Plan, Sandbox};
use crate::suite::Bench;

/// How a benchmark's figure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds per loop iteration, measured inside the program.
    NsPerOp,
    /// Microseconds per whole command, measured outside.
    UsPerRun,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::NsPerOp => "ns/op",
            Unit::UsPerRun => "µs/run",
        }
    }

    /// `ns` (always nanoseconds) in this unit, with the unit.
    pub fn format(self, ns: f64) -> String {
        format!("{} {}", self.number(ns), self.name())
    }

    /// `ns` in this unit, without the unit.
    pub fn number(self, ns: f64) -> String {
        let v = match self {
            Unit::NsPerOp => ns,
            Unit::UsPerRun => ns / 1000.0,
        };
        if v < 100.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.0}")
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Native,
    Ours,
    Gvisor,
}

/// One place programs run: a column of every table.
#[derive(Debug, Clone)]
pub struct Column {
    /// Short: "native", "ours", "gVisor".
    pub label: String,
    pub kind: ColumnKind,
    /// Markdown: the command, or why it is absent.
    pub about: String,
    /// `Err` says why this column has no figures.
    pub sandbox: Result<Sandbox, String>,
}

/// One PTRACE_SYSEMU floor measurement.
#[derive(Debug, Clone)]
pub struct Floor {
    pub tracer_cpu: usize,
    /// `None`: there was no second CPU.
    pub tracee_cpu: Option<usize>,
    pub outcome: Outcome,
}

impl Floor {
    pub fn same_cpu(&self) -> bool {
        self.tracee_cpu == Some(self.tracer_cpu)
    }

    pub fn placement(&self) -> String {
        match self.tracee_cpu {
            Some(t) if t == self.tracer_cpu => format!("same CPU (tracer and tracee on cpu {t})"),
            Some(t) => format!(
                "cross CPU (tracer on cpu {}, tracee on cpu {t})",
                self.tracer_cpu
            ),
            None => "cross CPU".to_owned(),
        }
    }
}

/// One benchmark across all columns.
#[derive(Debug, Clone)]
pub struct Row {
    pub bench: Bench,
    /// The command in the first available column, `N` for the count.
    pub example: String,
    /// One per column, in column order.
    pub outcomes: Vec<Outcome>,
}

/// Everything `BENCHMARKS.md` says.
#[derive(Debug, Clone)]
pub struct Report {
    pub date: String,
    pub machine: Machine,
    pub revision: Option<String>,
    pub command: String,
    pub plan: Plan,
    pub floor: Vec<Floor>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl Report {
    fn column(&self, kind: ColumnKind) -> impl Iterator<Item = (usize, &Column)> {
        self.columns
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.kind == kind)
    }

    /// The ratios the tables show: (numerator column, denominator column).
    fn ratios(&self) -> Vec<(usize, usize)> {
        let natives: Vec<usize> = self.column(ColumnKind::Native).map(|(i, _)| i).collect();
        let gvisors: Vec<usize> = self.column(ColumnKind::Gvisor).map(|(i, _)| i).collect();
        let ours: Vec<usize> = self.column(ColumnKind::Ours).map(|(i, _)| i).collect();
        let mut pairs = Vec::new();
        for &n in &natives {
            pairs.extend(ours.iter().chain(&gvisors).map(|&o| (o, n)));
        }
        for &g in &gvisors {
            pairs.extend(ours.iter().map(|&o| (o, g)));
        }
        pairs
    }

    fn same_cpu_floor(&self) -> Option<f64> {
        self.floor
            .iter()
            .find(|f| f.same_cpu())
            .and_then(|f| f.outcome.median())
    }

    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        self.header(&mut md);
        self.floor_section(&mut md);
        self.summary(&mut md);
        self.details(&mut md);
        md
    }

    fn header(&self, md: &mut String) {
        let m = &self.machine;
        let plan = &self.plan;
        let _ = writeln!(md, "# Benchmarks\n");
        let _ = writeln!(
            md,
            "Written by the side-by-side runner (`benches/src/bin/side-by-side.rs`); rerun it rather \
             than editing this file. One run's figures: compare columns, not runs.\n"
        );
        let _ = writeln!(md, "```\n{}\n```\n", self.command);
        let _ = writeln!(md, "- Date: {}", self.date);
        let _ = writeln!(
            md,
            "- Machine: {} CPUs (nproc), kernel {}, {}",
            m.nproc, m.kernel, m.cpu_model
        );
        if let Some(rev) = &self.revision {
            let _ = writeln!(md, "- Workspace: {rev}");
        }
        for c in &self.columns {
            let _ = writeln!(md, "- {}: {}", c.label, c.about);
        }
        let _ = writeln!(
            md,
            "- Programs: `benches/progs/*.c`, built with `gcc {}`; each times its own loop with the \
             vDSO `clock_gettime(CLOCK_MONOTONIC)` and prints `<name> <iterations> <total_ns>`",
            progs::CFLAGS.join(" ")
        );
        let _ = writeln!(
            md,
            "- Method: iterations grown tenfold from 100 until a run takes {:?}, then sized for \
             {:?} a run; figures are medians of {} runs (start-up: {} runs after a warm-up, wall \
             clock of the whole command)\n",
            plan.calibrate, plan.target, plan.reps, plan.startup_reps
        );
    }

    fn floor_section(&self, md: &mut String) {
        let _ = writeln!(md, "## PTRACE_SYSEMU floor\n");
        let _ = writeln!(
            md,
            "A forked child loops on raw getppid under PTRACE_SYSEMU; per stop the runner does \
             waitpid, PTRACE_GETREGS, sets `rax`, PTRACE_SETREGS, PTRACE_SYSEMU (`benches/src/floor.rs`). \
             No ptrace sandbox's getppid can beat it; ours aims at 2x the same-CPU figure.\n"
        );
        let _ = writeln!(
            md,
            "| placement | ns per round trip (median) | min | max | iterations |"
        );
        let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: |");
        for f in &self.floor {
            let _ = match &f.outcome {
                Outcome::Measured(s) => writeln!(
                    md,
                    "| {} | {:.0} | {:.0} | {:.0} | {} |",
                    f.placement(),
                    s.median,
                    s.min,
                    s.max,
                    s.iterations
                ),
                other => writeln!(
                    md,
                    "| {} | {} | | | |",
                    f.placement(),
                    cell(other, Unit::NsPerOp)
                ),
            };
        }
        md.push('\n');
    }

    fn summary(&self, md: &mut String) {
        let ratios = self.ratios();
        let _ = writeln!(md, "## Summary\n");
        let mut head = vec!["benchmark".to_owned(), "unit".to_owned()];
        head.extend(self.columns.iter().map(|c| c.label.clone()));
        head.extend(
            ratios
                .iter()
                .map(|&(a, b)| format!("{}/{}", self.columns[a].label, self.columns[b].label)),
        );
        let ours: Vec<usize> = self.column(ColumnKind::Ours).map(|(i, _)| i).collect();
        head.extend(
            ours.iter()
                .map(|&o| format!("{}/floor", self.columns[o].label)),
        );
        table_head(md, &head);
        for row in &self.rows {
            let unit = row.bench.unit;
            let mut cells = vec![format!("`{}`", row.bench.name), unit.name().to_owned()];
            cells.extend(row.outcomes.iter().map(|o| cell(o, unit)));
            cells.extend(
                ratios
                    .iter()
                    .map(|&(a, b)| ratio(row.outcomes[a].median(), row.outcomes[b].median())),
            );
            cells.extend(ours.iter().map(|&o| {
                if row.bench.vs_floor {
                    ratio(row.outcomes[o].median(), self.same_cpu_floor())
                } else {
                    String::new()
                }
            }));
            table_row(md, &cells);
        }
        md.push('\n');
    }

    fn details(&self, md: &mut String) {
        let _ = writeln!(md, "## Details\n");
        let natives: Vec<usize> = self.column(ColumnKind::Native).map(|(i, _)| i).collect();
        for row in &self.rows {
            let unit = row.bench.unit;
            let _ = writeln!(md, "### `{}`\n", row.bench.name);
            let _ = writeln!(md, "{}. Command: `{}`.\n", row.bench.what, row.example);
            let mut head: Vec<String> = ["run", "iterations", "median", "min", "max", "runs"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            head.extend(
                natives
                    .iter()
                    .map(|&n| format!("/{}", self.columns[n].label)),
            );
            if row.bench.vs_floor {
                head.push("/floor".to_owned());
            }
            table_head(md, &head);
            for (column, outcome) in self.columns.iter().zip(&row.outcomes) {
                let mut cells = vec![column.label.clone()];
                match outcome {
                    Outcome::Measured(s) => cells.extend([
                        s.iterations.to_string(),
                        unit.format(s.median),
                        unit.number(s.min),
                        unit.number(s.max),
                        s.runs.to_string(),
                    ]),
                    other => {
                        cells.push(cell(other, unit));
                        cells.extend(std::iter::repeat_n(String::new(), 4));
                    }
                }
                cells.extend(
                    natives
                        .iter()
                        .map(|&n| ratio(outcome.median(), row.outcomes[n].median())),
                );
                if row.bench.vs_floor {
                    // Native never traps: its ratio to the floor means nothing.
                    cells.push(match column.kind {
                        ColumnKind::Native => String::new(),
                        _ => ratio(outcome.median(), self.same_cpu_floor()),
                    });
                }
                table_row(md, &cells);
            }
            md.push('\n');
        }
    }
}

fn table_head(md: &mut String, head: &[String]) {
    table_row(md, head);
    let rule: Vec<String> = head
        .iter()
        .enumerate()
        .map(|(i, _)| {
            if i == 0 {
                "---".to_owned()
            } else {
                "---:".to_owned()
            }
        })
        .collect();
    table_row(md, &rule);
}

fn table_row(md: &mut String, cells: &[String]) {
    let _ = writeln!(md, "| {} |", cells.join(" | "));
}

/// A figure, or the reason there is none, fit for a table cell.
fn cell(outcome: &Outcome, unit: Unit) -> String {
    match outcome {
        Outcome::Measured(s) => unit.number(s.median),
        Outcome::Failed(why) => format!("failed: {}", escape(why)),
        // Why is in the header's list of columns.
        Outcome::Absent(_) => "absent".to_owned(),
    }
}

/// `a / b` as `12.3x`, or a dash when either is missing.
fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => {
            let r = a / b;
            if r < 10.0 {
                format!("{r:.2}x")
            } else if r < 100.0 {
                format!("{r:.1}x")
            } else {
                format!("{r:.0}x")
            }
        }
        _ => "–".to_owned(),
    }
}

/// One line, no table-breaking `|`, at most 120 characters.
fn escape(text: &str) -> String {
    const MAX: usize = 120;
    let one_line = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    if one_line.chars().count() > MAX {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_scales_its_precision() {
        assert_eq!(ratio(Some(3.0), Some(2.0)), "1.50x");
        assert_eq!(ratio(Some(250.0), Some(10.0)), "25.0x");
        assert_eq!(ratio(Some(5000.0), Some(10.0)), "500x");
    }

    #[test]
    fn ratio_without_both_figures_is_a_dash() {
        assert_eq!(ratio(None, Some(1.0)), "–");
        assert_eq!(ratio(Some(1.0), Some(0.0)), "–");
    }

    #[test]
    fn escape_keeps_a_failure_inside_its_cell() {
        assert_eq!(escape("a | b\nc"), "a \\| b c");
        assert!(escape(&"x".repeat(300)).ends_with('…'));
    }

    #[test]
    fn unit_formats_startup_in_microseconds() {
        assert_eq!(Unit::UsPerRun.format(1_234_567.0), "1235 µs/run");
        assert_eq!(Unit::NsPerOp.format(61.25), "61.2 ns/op");
    }
}
