import Foundation

/// Renders report.json for people: Markdown that fits a CI job summary, and a self-contained
/// HTML page (inline CSS and SVG charts drawn here; no scripts, no network).
public enum ReportRenderer {
    public enum Format: String, CaseIterable, Sendable {
        case md, json, html
    }

    public static func render(_ report: RunReport, as format: Format) throws -> String {
        switch format {
        case .json: return String(decoding: try JSONEncoder.temper.encode(report), as: UTF8.self)
        case .md: return markdown(report)
        case .html: return html(report)
        }
    }

    // MARK: shared figures

    static func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }

    static func change(_ before: Int, _ after: Int) -> String {
        before == 0 ? "-" : String(format: "%+.1f%%", 100 * Double(after - before) / Double(before))
    }

    /// Speedup (baseline time / variant time) with its interval, from a time ratio.
    static func speedup(_ ratio: BenchResult.Ratio) -> (value: Double, low: Double, high: Double) {
        (1 / ratio.value, 1 / ratio.high, 1 / ratio.low)
    }

    static let dynoRows = ["executed_instructions", "taken_branches", "taken_conditional_branches", "taken_forward_branches", "executed_unconditional_branches", "total_branches"]

    static func warningRows(_ data: RunReport.ProfileData) -> [(String, Int)] {
        data.warnings.sorted { $0.key < $1.key }.map { ($0.key.replacingOccurrences(of: "_", with: " "), $0.value) }
    }

    // MARK: Markdown

    public static func markdown(_ report: RunReport) -> String {
        var lines = ["## temper: \(report.profile) (\(report.status))", ""]
        if let error = report.error { lines += ["> \(error.split(separator: "\n").first ?? "")", ""] }
        lines += ["| stage | outcome | seconds |", "|---|---|---|"]
        lines += report.stages.map { stage in
            let previous = stage.previousSeconds.map { String(format: " (ran %.1f)", $0) } ?? ""
            return "| \(stage.name) | \(stage.outcome.rawValue) | \(String(format: "%.1f", stage.seconds))\(previous) |"
        }
        if let bench = report.bench {
            lines += ["", "### Benchmark", "", "`\(bench.command)`, \(bench.runs) interleaved rounds", "",
                      "| variant | median s | MAD s | speedup vs baseline (95% CI) | instructions |", "|---|---|---|---|---|"]
            let base = bench.variants.first { $0.name == "baseline" }?.instructions
            for variant in bench.variants {
                let speed = variant.ratioToBaseline.map { speedup($0) }.map { String(format: "%.2fx [%.2f, %.2f]", $0.value, $0.low, $0.high) } ?? "1.00x"
                let count = variant.instructions.map { count in "\(count)" + (base.map { variant.name == "baseline" ? "" : " (\(change($0, count)))" } ?? "") } ?? "-"
                lines.append("| \(variant.name) | \(String(format: "%.3f", variant.wall.median)) | \(String(format: "%.4f", variant.wall.mad)) | \(speed) | \(count) |")
            }
        }
        if let data = report.profileData {
            lines += ["", "### Profile data", "",
                      "\(data.functionsExecuted.map { "\($0) of " } ?? "")\(data.functions.map(String.init) ?? "?") functions executed in training, total count \(data.totalCount.map(String.init) ?? "?"), \(data.rawProfiles.map(String.init) ?? "?") raw profiles.", ""]
            let warnings = warningRows(data).filter { $0.1 > 0 }
            lines.append(warnings.isEmpty ? "No profile warnings in the optimized build." : "Profile warnings: " + warnings.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ".")
            if let missing = data.missingByFile.flatMap(MissingFunctions.summary) { lines.append("Missing functions: " + missing + ".") }
        }
        if let bolt = report.bolt {
            for artifact in bolt.artifacts {
                lines += ["", "### BOLT: \(artifact.name) (\(artifact.verified ? "verified" : "not verified"))", "", "| dyno-stat | before | after | change |", "|---|---|---|---|"]
                for row in dynoRows {
                    guard let before = artifact.dynoStats["before"]?[row], let after = artifact.dynoStats["after"]?[row] else { continue }
                    lines.append("| \(row.replacingOccurrences(of: "_", with: " ")) | \(before) | \(after) | \(change(before, after)) |")
                }
                lines.append("")
                lines.append("\(artifact.failedFunctions) function(s) BOLT could not process" + (artifact.hottestFailed.first.map { "; hottest: \($0.name) (\($0.count))" } ?? "") + ".")
            }
            if let selection = bolt.selection {
                let (header, rows) = selectionTable(selection)
                lines += ["", "### BOLT candidates (\(selection.rounds) interleaved rounds of the \(selection.workload) workload)", ""]
                lines += markdownTable(header, rows)
                lines += ["", "BOLT \(selection.reason)."]
            } else if let timing = bolt.verifySeconds {
                lines.append(String(format: "Verify command: %.3f s before BOLT, %.3f s after", timing.preBolt, timing.bolted) + " (median of \(timing.runs)).")
            }
        }
        for (title, header, rows) in provenanceTables(report) {
            lines += ["", "### \(title)", ""] + markdownTable(header, rows)
        }
        lines += ["", "### Toolchain", ""]
        lines += report.toolchain.sorted { $0.key < $1.key }.map { "- \($0.key) \($0.value.version) (`\($0.value.path)`)" }
        if !report.artifacts.isEmpty {
            lines += ["", "### Artifacts", ""]
            lines += report.artifacts.map { "- `\($0.path)` (\($0.bytes) bytes, from \($0.stage ?? "?"))" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Markdown table; a `|` inside a cell is escaped so it cannot split the cell.
    static func markdownTable(_ header: [String], _ rows: [[String]]) -> [String] {
        func row(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
        return [row(header), "|" + String(repeating: "---|", count: header.count)] + rows.map(row)
    }

    /// Where the profile came from and how well it fit (a bundle's staleness), and what the
    /// compile cache served: the same tables for Markdown and HTML.
    static func provenanceTables(_ report: RunReport) -> [(title: String, header: [String], rows: [[String]])] {
        var tables: [(String, [String], [[String]])] = []
        if let staleness = report.staleness {
            let sources = staleness.sources
            func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", ... (\(names.count))" : "") }
            var rows: [[String]] = (report.training.map { [["training", $0]] } ?? []) + [
                ["bundle", "created \(sources.bundleCreated)" + (sources.bundleHost.map { " on \($0)" } ?? "") + ", \(sources.bundleToolchain), profile format \(sources.profileFormatVersion), sha256 \(sources.bundleSha256.prefix(16))"],
                ["sources", sources.sameSources ? "the same as the bundle's" : "changed: \(list(sources.filesChanged)); added: \(list(sources.filesAdded)); removed: \(list(sources.filesRemoved))"],
            ]
            if let matched = staleness.hotFunctionsMatched {
                rows.append(["hot functions matched", "\(matched) of \(sources.hotFunctions)" + (staleness.hotMatchedPercent.map { String(format: " (%.1f%%)", $0) } ?? "")])
            }
            if let applied = staleness.functionsApplied { rows.append(["functions with profile data applied", "\(applied)"]) }
            if let mismatch = staleness.functionsHashMismatch { rows.append(["hash mismatches", "\(mismatch): \(list(staleness.hashMismatchNames ?? []))"]) }
            if let none = staleness.functionsNoData { rows.append(["no profile data", "\(none): \(list(staleness.noDataNames ?? []))"]) }
            for bolt in staleness.bolt ?? [] {
                rows.append([
                    "BOLT \(bolt.artifact)",
                    (bolt.binaryChanged.map { $0 ? "binary changed, -infer-stale-profile; " : "same binary; " } ?? "binary the profile was recorded on unknown; ")
                        + "\(bolt.functionsWithProfile.map(String.init) ?? "?") functions with profile, \(bolt.functionsStale ?? 0) stale, \(bolt.functionsInferred ?? 0) inferred",
                ])
            }
            tables.append(((report.training == nil ? "Profile bundle: " : "Last training, on edited sources: ") + staleness.summaryLine, ["", ""], rows))
        } else if let training = report.training {
            tables.append(("Training", ["", ""], [["training", training]]))
        }
        if let cache = report.compileCache, !cache.isEmpty {
            tables.append((
                "Compile cache", ["stage", "hits", "misses", "from remote storage", "uncacheable", "hit rate"],
                cache.sorted { $0.key < $1.key }.map { stage, stats in
                    [stage, "\(stats.hits)", "\(stats.misses)", "\(stats.remoteHits)", "\(stats.uncacheable)", stats.hitPercent.map { String(format: "%.1f%%", $0) } ?? "-"]
                }))
        }
        let hardened = (report.artifacts + report.baselineArtifacts).filter { $0.hardening != nil }
        if !hardened.isEmpty {
            tables.append((
                "Hardening", ["artifact", "from", "PIE", "RELRO", "PT_GNU_STACK", "build-id", "stack protector", "FORTIFY", "CET", "against the plain build"],
                hardened.map { artifact in
                    let h = artifact.hardening!
                    return [artifact.name, artifact.stage ?? "?"] + hardeningCells(h)
                        + [artifact.hardeningParity.map { ([$0] + (artifact.hardeningNotes ?? [])).joined(separator: ": ") } ?? "-"]
                }))
        }
        if let selection = report.bolt?.selection, ([selection.preBolt] + selection.candidates).contains(where: { $0.hardening != nil }) {
            var rows: [[String]] = []
            for candidate in [selection.preBolt] + selection.candidates {
                for (name, h) in (candidate.hardening ?? [:]).sorted(by: { $0.key < $1.key }) {
                    rows.append([candidate.name, name] + hardeningCells(h) + [candidate.name == selection.preBolt.name ? "the plain build" : candidate.failure == nil ? "verified" : "dropped"])
                }
            }
            tables.append(("Hardening of the BOLT candidates", ["candidate", "artifact", "PIE", "RELRO", "PT_GNU_STACK", "build-id", "stack protector", "FORTIFY", "CET", ""], rows))
        }
        return tables
    }

    /// PIE, RELRO, PT_GNU_STACK, build-id, stack protector, FORTIFY, CET, for a table row.
    static func hardeningCells(_ h: Hardening) -> [String] {
        let cet = [h.ibt == true ? "IBT" : nil, h.shstk == true ? "SHSTK" : nil].compactMap { $0 }
        return [
            h.pie, h.relro, h.gnuStack, h.buildID ? "yes" : "no", h.stackProtector.map { $0 ? "yes" : "no" } ?? "-",
            h.fortify.map { $0 > 0 ? "yes (\($0))" : "no" } ?? "-", h.ibt == nil ? "-" : cet.isEmpty ? "no" : cet.joined(separator: "+"),
        ]
    }

    // MARK: HTML

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>"
    }

    static let colors: [StageOutcome: String] = [
        .executed: "#2b6cb0", .reused: "#a0aec0", .failed: "#c53030", .interrupted: "#dd6b20", .pending: "#e2e8f0",
    ]

    /// Horizontal bars, one per stage, as long as the stage ran; a reused stage is drawn in grey
    /// as long as the execution it reuses took.
    static func timeline(_ stages: [RunReport.StageEntry]) -> String {
        let width = 560.0, label = 150.0, row = 26.0
        func length(_ stage: RunReport.StageEntry) -> Double { max(stage.seconds, stage.previousSeconds ?? 0) }
        let longest = max(stages.map(length).max() ?? 1, 0.001)
        var svg = "<svg id=\"stage-timeline\" role=\"img\" aria-label=\"stage timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(label + width + 140))\" height=\"\(Int(Double(stages.count) * row + 10))\">"
        for (index, stage) in stages.enumerated() {
            let y = Double(index) * row + 5
            let bar = max(3, length(stage) / longest * width)
            svg += "<text x=\"0\" y=\"\(y + 16)\" font-size=\"13\">\(escape(stage.name))</text>"
            svg += "<rect x=\"\(label)\" y=\"\(y + 3)\" width=\"\(String(format: "%.1f", bar))\" height=\"18\" fill=\"\(colors[stage.outcome] ?? "#999")\"/>"
            let time = stage.outcome == .reused ? "(ran \(seconds(stage.previousSeconds ?? 0)))" : seconds(stage.seconds)
            svg += "<text x=\"\(String(format: "%.1f", label + bar + 6))\" y=\"\(y + 16)\" font-size=\"12\">\(stage.outcome.rawValue) \(time)</text>"
        }
        return svg + "</svg>"
    }

    /// Speedup per variant against the baseline, with the 95% interval as whiskers.
    static func speedupChart(_ bench: BenchResult) -> String {
        let width = 480.0, label = 90.0, row = 34.0
        let bars = bench.variants.map { variant -> (String, Double, Double, Double) in
            guard let ratio = variant.ratioToBaseline else { return (variant.name, 1, 1, 1) }
            let s = speedup(ratio)
            return (variant.name, s.value, s.low, s.high)
        }
        let top = max(bars.map(\.3).max() ?? 1, 1) * 1.15
        func x(_ value: Double) -> Double { label + value / top * width }
        var svg = "<svg id=\"speedup-chart\" role=\"img\" aria-label=\"speedup against baseline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(label + width + 80))\" height=\"\(Int(Double(bars.count) * row + 30))\">"
        for (index, (name, value, low, high)) in bars.enumerated() {
            let y = Double(index) * row + 5
            svg += "<text x=\"0\" y=\"\(y + 19)\" font-size=\"13\">\(escape(name))</text>"
            svg += "<rect x=\"\(label)\" y=\"\(y + 6)\" width=\"\(String(format: "%.1f", x(value) - label))\" height=\"18\" fill=\"\(name == "baseline" ? "#a0aec0" : "#2f855a")\"/>"
            svg += "<line x1=\"\(String(format: "%.1f", x(low)))\" x2=\"\(String(format: "%.1f", x(high)))\" y1=\"\(y + 15)\" y2=\"\(y + 15)\" stroke=\"#1a202c\" stroke-width=\"2\"/>"
            for end in [low, high] {
                svg += "<line x1=\"\(String(format: "%.1f", x(end)))\" x2=\"\(String(format: "%.1f", x(end)))\" y1=\"\(y + 9)\" y2=\"\(y + 21)\" stroke=\"#1a202c\" stroke-width=\"2\"/>"
            }
            svg += "<text x=\"\(String(format: "%.1f", x(high) + 6))\" y=\"\(y + 19)\" font-size=\"12\">\(String(format: "%.2fx", value))</text>"
        }
        let one = x(1)
        svg += "<line x1=\"\(String(format: "%.1f", one))\" x2=\"\(String(format: "%.1f", one))\" y1=\"0\" y2=\"\(Int(Double(bars.count) * row + 8))\" stroke=\"#718096\" stroke-dasharray=\"4 3\"/>"
        svg += "<text x=\"\(String(format: "%.1f", one - 10))\" y=\"\(Int(Double(bars.count) * row + 24))\" font-size=\"11\">1.0x</text>"
        return svg + "</svg>"
    }

    public static func html(_ report: RunReport) -> String {
        var body = "<h1>temper: \(escape(report.profile)) <span class=\"\(escape(report.status))\">\(escape(report.status))</span></h1>"
        if let error = report.error { body += "<pre class=\"error\">\(escape(error))</pre>" }
        body += "<h2>Stages</h2>" + timeline(report.stages)
        if let bench = report.bench {
            body += "<h2>Speedup against baseline</h2><p><code>\(escape(bench.command))</code>, \(bench.runs) interleaved rounds; bars are medians, whiskers the 95% bootstrap interval.</p>"
            body += speedupChart(bench)
            let base = bench.variants.first { $0.name == "baseline" }?.instructions
            body += table(["variant", "median s", "MAD s", "cpu s", "peak RSS MB", "binary KB", "instructions"], bench.variants.map { variant in
                [variant.name, String(format: "%.3f", variant.wall.median), String(format: "%.4f", variant.wall.mad),
                 variant.cpuSeconds.map { String(format: "%.3f", $0) } ?? "-",
                 variant.peakRSSBytes.map { String(format: "%.1f", Double($0) / 1_048_576) } ?? "-",
                 String(format: "%.1f", Double(variant.binaryBytes) / 1024),
                 variant.instructions.map { count in "\(count)" + (base.map { variant.name == "baseline" ? "" : " (\(change($0, count)))" } ?? "") } ?? "-"]
            })
        }
        if let data = report.profileData {
            body += "<h2>Profile data</h2><p>\(data.functionsExecuted.map { "\($0) of " } ?? "")\(data.functions.map(String.init) ?? "?") functions executed in training, total count \(data.totalCount.map(String.init) ?? "?"), max count \(data.maxCount.map(String.init) ?? "?"), \(data.rawProfiles.map(String.init) ?? "?") raw profiles.</p>"
            if let hottest = data.hottest, !hottest.isEmpty {
                let total = Double(max(data.totalCount ?? 1, 1))
                body += "<h3>Hottest functions</h3>" + table(["function", "max block count", "share of total count"], hottest.map {
                    [$0.name, "\($0.maxCount)", String(format: "%.1f%%", 100 * Double($0.maxCount) / total)]
                })
            }
            body += "<h3>Profile warnings</h3>" + table(["warning", "count"], warningRows(data).map { [$0.0, "\($0.1)"] })
            if let missing = data.missingByFile.flatMap(MissingFunctions.summary) { body += "<p>Missing functions: \(escape(missing)).</p>" }
        }
        if let bolt = report.bolt {
            for artifact in bolt.artifacts {
                body += "<h2>BOLT: \(escape(artifact.name))</h2><p>\(artifact.verified ? "Verified" : "Not verified"); \(artifact.failedFunctions) function(s) BOLT could not process.</p>"
                body += table(["dyno-stat", "before", "after", "change"], dynoRows.compactMap { row in
                    guard let before = artifact.dynoStats["before"]?[row], let after = artifact.dynoStats["after"]?[row] else { return nil }
                    return [row.replacingOccurrences(of: "_", with: " "), "\(before)", "\(after)", change(before, after)]
                })
            }
            if let selection = bolt.selection {
                let (header, rows) = selectionTable(selection)
                body += "<h3>BOLT candidates (\(selection.rounds) interleaved rounds of the \(escape(selection.workload)) workload)</h3>" + table(header, rows)
                body += "<p>BOLT \(escape(selection.reason)).</p>"
            } else if let timing = bolt.verifySeconds {
                body += "<p>" + String(format: "Verify command: %.3f s before BOLT, %.3f s after", timing.preBolt, timing.bolted) + " (median of \(timing.runs) interleaved runs).</p>"
            }
        }
        for (title, header, rows) in provenanceTables(report) {
            body += "<h2>\(escape(title))</h2>" + table(header, rows)
        }
        body += "<h2>Toolchain</h2>" + table(["tool", "version", "path"], report.toolchain.sorted { $0.key < $1.key }.map { [$0.key, $0.value.version, $0.value.path] })
        body += "<h2>Fingerprints</h2>" + table(["stage", "fingerprint"], report.stages.map { [$0.name, $0.fingerprint ?? "-"] })
        let style = """
            body{font-family:system-ui,sans-serif;margin:2em;color:#1a202c;max-width:900px}
            table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #cbd5e0;padding:3px 8px;font-size:13px;text-align:left}
            th{background:#edf2f7}h1 span{font-size:.6em;padding:2px 8px;border-radius:4px;background:#c6f6d5}
            h1 span.failed,h1 span.interrupted{background:#fed7d7}pre.error{background:#fff5f5;padding:8px;white-space:pre-wrap}
            svg{display:block;margin:.5em 0}
            """
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>temper: \(escape(report.profile))</title><style>\(style)</style></head><body>\(body)</body></html>\n"
    }

    /// The BOLT candidates as table rows, pre-BOLT first (Markdown and HTML alike).
    static func selectionTable(_ selection: BoltSummary.Selection) -> (header: [String], rows: [[String]]) {
        let header = ["build", "verified", "median s", "vs PGO+LTO (95% CI)", "instructions", "taken branches", "size KB", "published"]
        let rows = ([selection.preBolt] + selection.candidates).map { candidate -> [String] in
            let isPre = candidate.name == selection.preBolt.name
            return [
                isPre ? "PGO+LTO (pre-BOLT)" : candidate.name,
                isPre ? "-" : candidate.verified ? "yes" : "no" + (candidate.failure.map { ": " + String($0.split(separator: "\n").first ?? "") } ?? ""),
                candidate.medianSeconds.map { String(format: "%.3f", $0) } ?? "-",
                isPre ? "1.000" : candidate.ratio.map { String(format: "%.3fx [%.3f, %.3f]", $0.value, $0.low, $0.high) } ?? "-",
                candidate.instructions.map(String.init) ?? "-",
                candidate.takenBranches.map(String.init) ?? "-",
                candidate.bytes.map { String(format: "%.1f", Double($0) / 1024) } ?? "-",
                (isPre ? selection.published == nil : selection.published == candidate.name) ? "yes" : "",
            ]
        }
        return (header, rows)
    }
}
