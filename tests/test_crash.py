"""Crash reports: Apple's .ips JSON and the classic .crash text (examples made for these tests)."""

from __future__ import annotations

import json

from bot.crash import json_too_deep, parse_crash

IPS_HEADER = {"app_name": "Tunnel", "bug_type": "309", "os_version": "macOS 15.5"}
IPS_BODY = {
    "exception": {"type": "EXC_BAD_ACCESS", "signal": "SIGSEGV", "codes": "0x0000000000000001, 0x0000000000000028"},
    "termination": {"indicator": "Segmentation fault: 11"},
    "asi": {"libdispatch.dylib": ["BUG IN CLIENT OF LIBDISPATCH: Release of a suspended object"]},
    "faultingThread": 2,
    "threads": [
        {"id": 1, "queue": "com.apple.main-thread", "frames": [{"imageIndex": 0, "symbol": "mach_msg2_trap"}]},
        {"id": 2},
        {"id": 3, "queue": "NEFlow queue", "frames": [{"imageIndex": 1}, {"imageIndex": 0, "symbol": "swift_release"}]},
    ],
    "usedImages": [{"name": "libswiftCore.dylib"}, {"name": "NetworkExtension"}],
}


def test_ips_uses_faulting_thread_and_image_names() -> None:
    info = parse_crash(json.dumps(IPS_HEADER) + "\n" + json.dumps(IPS_BODY, indent=2))
    assert info is not None
    assert (info.exception_type, info.signal, info.queue) == ("EXC_BAD_ACCESS", "SIGSEGV", "NEFlow queue")
    assert info.frames == ["NetworkExtension", "swift_release"]
    assert "BUG IN CLIENT OF LIBDISPATCH: Release of a suspended object" in info.extra
    assert "crashed queue: NEFlow queue" in info.summary_line()


def test_ips_triggered_flag_wins() -> None:
    body = dict(IPS_BODY, threads=[{"triggered": True, "queue": "q1", "frames": []}], faultingThread=5)
    info = parse_crash(json.dumps(IPS_HEADER) + "\n" + json.dumps(body))
    assert info is not None and info.queue == "q1"


def test_classic_crash_text() -> None:
    text = """Process:               PacketTunnel [812]
Exception Type:        EXC_CRASH (SIGPIPE)
Exception Codes:       0x0000000000000000, 0x0000000000000000
Termination Reason:    Namespace SIGNAL, Code 13 Broken pipe: 13
Triggered by Thread:  1

Thread 0:
0   libsystem_kernel.dylib        0x00000001a1b2c3d4 mach_msg2_trap + 8

Thread 1 name:  Dispatch queue: com.example.tunnel.socket
Thread 1 Crashed:
0   libsystem_kernel.dylib        0x00000001a1b2c3e0 __sendto + 8
1   Tunnel                        0x0000000100a0b0c0 0x100a00000 + 45248
2   Tunnel                        0x0000000100a0b1c0 Tunnel.Socket.write(_:) + 120

Thread 2:
0   libsystem_kernel.dylib        0x00000001a1b2c3f0 __workq_kernreturn + 8
"""
    info = parse_crash(text)
    assert info is not None
    assert (info.exception_type, info.signal) == ("EXC_CRASH", "SIGPIPE")
    assert info.queue == "com.example.tunnel.socket"
    assert info.frames == ["__sendto", "Tunnel", "Tunnel.Socket.write(_:)"]
    assert any("Broken pipe" in x for x in info.extra)


def test_not_a_crash_report() -> None:
    assert parse_crash("just a question about URLSession") is None
    assert parse_crash('{"not": "a crash"}') is None
    assert parse_crash("{broken json\n{also broken") is None


def test_deeply_nested_json_is_not_a_crash_report() -> None:
    # json's parser recurses; this once raised RecursionError from inside extraction.
    for text in (
        '{"bug_type":"309"}\n' + "[" * 1000,
        '{"bug_type":"309"}' + "[" * 1000,
        '{"bug_type":"309"}\n' + '{"a":[' * 5000 + "1" + "]}" * 5000,
        "[" * 100_000,
    ):
        assert parse_crash(text) is None


def test_json_depth_check() -> None:
    assert not json_too_deep("[" * 64 + "]" * 64)
    assert json_too_deep("[" * 65 + "]" * 65)
    assert json_too_deep("[[]" * 70 + "]" * 70)  # nesting interleaved with siblings is still nesting
    assert not json_too_deep('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')
    assert json_too_deep("[[]")  # unbalanced
    # A report whose JSON is fine still parses after the check.
    info = parse_crash(json.dumps(IPS_HEADER) + "\n" + json.dumps(IPS_BODY))
    assert info is not None and info.exception_type == "EXC_BAD_ACCESS"
