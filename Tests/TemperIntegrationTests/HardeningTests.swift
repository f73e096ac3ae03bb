import Foundation
import Testing
import TemperModel
import TemperSystem
import TemperStages
import TemperCore

/// The hardening temper reads from ELF files (PIE, RELRO, BIND_NOW, PT_GNU_STACK, build-id),
/// on binaries the real toolchain makes, and what BOLT's `-use-gnu-stack` does to them.
@Suite(.serialized) struct HardeningTests {
    @Test func theELFReaderSeesWhatTheLinkerWrote() async throws {
        let llvm = try await TestLLVM.find()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("temper-hardening-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = directory + "/main.c"
        try "int main(void) { return 0; }\n".write(toFile: source, atomically: true, encoding: .utf8)
        func build(_ name: String, _ flags: [String]) throws -> Hardening {
            _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fuse-ld=lld", "-Wl,--build-id", "-o", directory + "/" + name, source] + flags)
            return try #require(ELFFile(path: directory + "/" + name)?.hardening)
        }
        let plain = try build("plain", ["-fpie", "-pie", "-Wl,-z,relro,-z,now"])
        #expect(plain == Hardening(pie: "pie", relro: "full", bindNow: true, gnuStack: "non-executable", buildID: true, stackProtector: false, fortify: 0, ibt: false, shstk: false))
        let lazy = try build("lazy", ["-fpie", "-pie", "-Wl,-z,relro,-z,lazy"])
        #expect(lazy.relro == "partial" && !lazy.bindNow)
        let fixed = try build("fixed", ["-fno-pie", "-no-pie", "-Wl,-z,relro,-z,now"])
        #expect(fixed.pie == "no" && fixed.lost(against: plain) == ["not position-independent (the reference is pie)"])
        #expect(fixed.lost(against: plain, comparePIE: false).isEmpty)
        let execstack = try build("execstack", ["-fpie", "-pie", "-Wl,-z,relro,-z,now", "-Wl,-z,execstack"])
        #expect(execstack.gnuStack == "executable" && execstack.lost(against: plain).count == 1)

        // Stack protector and FORTIFY from the imported symbols; CET from .note.gnu.property (an
        // object file: Debian 12's crt files carry no CET mark, so a linked program loses it).
        let fortifiedSource = directory + "/fortified.c"
        try """
            #include <string.h>
            #include <stdio.h>
            int main(int argc, char **argv) { char buf[64]; strcpy(buf, argv[0]); printf("%s\\n", buf); return 0; }
            """.write(toFile: fortifiedSource, atomically: true, encoding: .utf8)
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fuse-ld=lld", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-o", directory + "/fortified", fortifiedSource])
        let fortified = try #require(ELFFile(path: directory + "/fortified"))
        #expect(fortified.hardening.stackProtector == true && fortified.fortifiedFunctions == ["__printf_chk", "__strcpy_chk"])
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fno-stack-protector", "-U_FORTIFY_SOURCE", "-fuse-ld=lld", "-o", directory + "/unfortified", fortifiedSource])
        let unfortified = try #require(ELFFile(path: directory + "/unfortified")?.hardening)
        #expect(unfortified.lost(against: fortified.hardening).sorted() == ["no stack protector (__stack_chk_fail)", "not fortified (no __*_chk functions; the reference has 2)"])
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fcf-protection=full", "-c", "-o", directory + "/cet.o", fortifiedSource])
        let cet = try #require(ELFFile(path: directory + "/cet.o")?.hardening)
        #expect(cet.ibt == true && cet.shstk == true)
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fcf-protection=none", "-c", "-o", directory + "/nocet.o", fortifiedSource])
        #expect(try #require(ELFFile(path: directory + "/nocet.o")?.hardening).lost(against: cet) == ["CET IBT mark lost", "CET shadow-stack mark lost"])

        // BOLT 22 with -use-gnu-stack drops the header (LLVM issue 174191); without it, it stays.
        let bolt = llvm.tool("llvm-bolt")
        guard FileManager.default.isExecutableFile(atPath: bolt) else { return }
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fuse-ld=lld", "-fno-pie", "-no-pie", "-Wl,--emit-relocs", "-Wl,-z,relro,-z,now", "-o", directory + "/input", source])
        let input = try #require(ELFFile(path: directory + "/input")?.hardening)
        for (name, flags) in [("with", ["-use-gnu-stack"]), ("without", [])] {
            _ = try? Temper.output(of: bolt, [directory + "/input", "-o", directory + "/bolted-" + name] + flags)
            let bolted = try #require(ELFFile(path: directory + "/bolted-" + name)?.hardening)
            if name == "without" {
                #expect(bolted.lost(against: input).isEmpty, "\(bolted)")
            } else if llvm.major == 22 {
                // Observed with BOLT 22.1.8: the header is gone, and temper says so.
                #expect(bolted.gnuStack == "missing" && bolted.lost(against: input).contains { $0.hasPrefix("PT_GNU_STACK missing") })
            }
        }
    }
}

/// temper's injected flags never trip a project's -Werror: the demo, every file compiled and
/// linked with `-Werror -Wunused-command-line-argument`, goes through the whole pipeline with BOLT
/// on, on a PIE and without one; and a flag that does trip it is found before training.
@Suite(.serialized) struct InjectedFlagsTests {
    @Test(arguments: ["", "accept_non_pie = true"]) func aWerrorProjectCompletesThePipelineWithBolt(_ bolt: String) async throws {
        let sandbox = try DemoSandbox()
        let text = sandbox.profileText(name: "werror").replacingOccurrences(of: "cflags = [\"-O2\"]", with: "cflags = [\"-O2\", \"-Werror\", \"-Wunused-command-line-argument\"]")
            + "\n[bolt]\nenabled = true\nselect = \"always\"\n\(bolt)\n[bolt.candidates]\ngnu-stack = [\"-use-gnu-stack\"]\n"
            + "[verify]\nrun = [\"{artifact:tl}\", \"{source}/scripts/primes.tl\", \"2\"]\n"
        let report = try await sandbox.run(try sandbox.writeRaw(name: "werror.toml", text))
        #expect(report.status == "succeeded" && report.stages.map(\.name).contains("bolt-optimize"))
        // Kept (select = "always"): a BOLTed PIE, or, when accepted, a non-PIE the report names.
        let artifact = try #require(report.artifacts.first)
        #expect(artifact.stage == "bolt-optimize")
        if bolt.isEmpty {
            #expect(artifact.hardening?.pie == "pie" && artifact.hardeningParity == "holds")
        } else {
            #expect(artifact.hardening?.pie == "no" && artifact.hardeningParity == "accepted" && artifact.hardeningNotes?.first?.contains("accept_non_pie") == true)
        }
        #expect(artifact.hardening?.gnuStack == "non-executable")
        // Every candidate has its PT_GNU_STACK, and the pre-BOLT side is the plain PIE build.
        let selection = try #require(report.bolt?.selection)
        #expect(selection.preBolt.hardening?["tl"]?.pie == "pie")
        for candidate in selection.candidates where candidate.name != "gnu-stack" {
            #expect(candidate.hardening?["tl"]?.gnuStack == "non-executable", "\(candidate.name)")
        }
        // BOLT 22's -use-gnu-stack drops the header (LLVM issue 174191): that candidate is dropped, with the reason.
        if try await TestLLVM.find().major == 22 {
            let dropped = try #require(selection.candidates.first { $0.name == "gnu-stack" })
            #expect(dropped.hardening?["tl"]?.gnuStack == "missing" && !dropped.verified)
            #expect(dropped.failure?.contains("less hardened than the plain build") == true && dropped.failure?.contains("-use-gnu-stack") == true, "\(dropped.failure ?? "")")
            #expect(selection.published != "gnu-stack")
        }
    }

    @Test func aFlagTheCompilerRefusesIsFoundBeforeTraining() async throws {
        let sandbox = try DemoSandbox()
        let text = sandbox.profileText(name: "werror").replacingOccurrences(of: "cflags = [\"-O2\"]", with: "cflags = [\"-O2\", \"-fno-such-flag\"]")
        let error = try await #require(throws: (any Error).self) { _ = try await sandbox.run(try sandbox.writeRaw(name: "werror.toml", text)) }
        #expect(ExitStatus.of(error) == ExitStatus.badInput)
        #expect("\(error)".contains("before anything was trained") && "\(error)".contains("-fno-such-flag"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir + "/stages/instrument"))
        // The profile's own flag that only warns (-Wl,... unused when compiling) is reported, not fatal.
        let warning = sandbox.profileText(name: "werror").replacingOccurrences(of: "cflags = [\"-O2\"]", with: "cflags = [\"-O2\", \"-Wl,-z,now\"]")
        var options = PipelineRun.Options(jobs: 2)
        options.to = .instrument
        #expect(try await sandbox.run(try sandbox.writeRaw(name: "werror.toml", warning), options: options).status == "succeeded")
    }
}
