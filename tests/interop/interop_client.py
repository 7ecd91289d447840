#!/usr/bin/python3
"""grpc.testing interop cases (grpc/grpc doc/interop-test-descriptions.md) with Python grpcio.

Usage: interop_client.py --port PORT [--cases a,b,c]
Stubs are generated at start from protos/grpc/testing with grpc_tools (python3-grpc-tools) into a temp dir.
Prints "PASS name" / "FAIL name: reason" per case; exits 1 if any case failed.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import traceback

import grpc

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROTOS = os.path.join(REPO, "protos")


def generate_stubs():
    out = tempfile.mkdtemp(prefix="calc-interop-py-")
    files = [os.path.join(PROTOS, "grpc", "testing", f) for f in ("empty.proto", "messages.proto", "test.proto")]
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I" + PROTOS, "--python_out=" + out,
                    "--grpc_python_out=" + out] + files, check=True)
    # the generated modules live in the package grpc.testing; grpcio owns the package grpc, so extend its path
    grpc.__path__.append(os.path.join(out, "grpc"))
    from grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc  # noqa: E402
    return empty_pb2, messages_pb2, test_pb2_grpc


empty_pb2, messages_pb2, test_pb2_grpc = generate_stubs()
M = messages_pb2
SPECIAL = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n"
ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")


def payload(n):
    return M.Payload(body=b"\0" * n)


def expect_code(fn, code, message=None):
    try:
        fn()
    except grpc.RpcError as e:
        assert e.code() == code, "expected %s, got %s (%r)" % (code, e.code(), e.details())
        if message is not None:
            assert e.details() == message, "expected message %r, got %r" % (message, e.details())
        return e
    raise AssertionError("expected %s, call succeeded" % code)


def empty_unary(stub, channel):
    assert stub.EmptyCall(empty_pb2.Empty()) == empty_pb2.Empty()


def large_unary(stub, channel):
    r = stub.UnaryCall(M.SimpleRequest(response_size=314159, payload=payload(271828)))
    assert len(r.payload.body) == 314159 and r.payload.body == b"\0" * 314159


def client_streaming(stub, channel):
    reqs = [M.StreamingInputCallRequest(payload=payload(n)) for n in (27182, 8, 1828, 45904)]
    assert stub.StreamingInputCall(iter(reqs)).aggregated_payload_size == 74922


def server_streaming(stub, channel):
    sizes = [31415, 9, 2653, 58979]
    req = M.StreamingOutputCallRequest(response_parameters=[M.ResponseParameters(size=s) for s in sizes])
    assert [len(r.payload.body) for r in stub.StreamingOutputCall(req)] == sizes


def ping_pong(stub, channel):
    import queue
    q = queue.Queue()

    def requests():
        while True:
            item = q.get()
            if item is None:
                return
            yield item

    call = stub.FullDuplexCall(requests())
    for req_size, resp_size in ((27182, 31415), (8, 9), (1828, 2653), (45904, 58979)):
        q.put(M.StreamingOutputCallRequest(response_parameters=[M.ResponseParameters(size=resp_size)], payload=payload(req_size)))
        assert len(next(call).payload.body) == resp_size
    q.put(None)
    assert list(call) == []


def empty_stream(stub, channel):
    assert list(stub.FullDuplexCall(iter([]))) == []


def custom_metadata(stub, channel):
    md = [ECHO_INITIAL, ECHO_TRAILING]
    _, call = stub.UnaryCall.with_call(M.SimpleRequest(response_size=314159, payload=payload(271828)), metadata=md)
    check_echo(call.initial_metadata(), call.trailing_metadata())
    call = stub.FullDuplexCall(iter([M.StreamingOutputCallRequest(response_parameters=[M.ResponseParameters(size=314159)],
                                                                  payload=payload(271828))]), metadata=md)
    assert len(next(call).payload.body) == 314159
    assert list(call) == []
    check_echo(call.initial_metadata(), call.trailing_metadata())


def check_echo(initial, trailing):
    assert ECHO_INITIAL in [(k, v) for k, v in initial], "initial metadata %r" % (initial,)
    assert ECHO_TRAILING in [(k, v) for k, v in trailing], "trailing metadata %r" % (trailing,)


def status_code_and_message(stub, channel):
    status = M.EchoStatus(code=2, message="test status message")
    expect_code(lambda: stub.UnaryCall(M.SimpleRequest(response_status=status)), grpc.StatusCode.UNKNOWN, "test status message")
    expect_code(lambda: list(stub.FullDuplexCall(iter([M.StreamingOutputCallRequest(response_status=status)]))),
                grpc.StatusCode.UNKNOWN, "test status message")


def special_status_message(stub, channel):
    status = M.EchoStatus(code=2, message=SPECIAL)
    expect_code(lambda: stub.UnaryCall(M.SimpleRequest(response_status=status)), grpc.StatusCode.UNKNOWN, SPECIAL)


def unimplemented_method(stub, channel):
    expect_code(lambda: stub.UnimplementedCall(empty_pb2.Empty()), grpc.StatusCode.UNIMPLEMENTED)


def unimplemented_service(stub, channel):
    other = test_pb2_grpc.UnimplementedServiceStub(channel)
    expect_code(lambda: other.UnimplementedCall(empty_pb2.Empty()), grpc.StatusCode.UNIMPLEMENTED)


def cancel_after_begin(stub, channel):
    import threading
    gate = threading.Event()

    def never():
        gate.wait(5)
        return
        yield  # pragma: no cover

    future = stub.StreamingInputCall.future(never())
    future.cancel()
    gate.set()
    assert future.cancelled() or future.code() == grpc.StatusCode.CANCELLED


def cancel_after_first_response(stub, channel):
    import queue
    q = queue.Queue()

    def requests():
        while True:
            item = q.get()
            if item is None:
                return
            yield item

    call = stub.FullDuplexCall(requests())
    q.put(M.StreamingOutputCallRequest(response_parameters=[M.ResponseParameters(size=31415)], payload=payload(27182)))
    assert len(next(call).payload.body) == 31415
    call.cancel()
    q.put(None)
    assert call.code() == grpc.StatusCode.CANCELLED


def timeout_on_sleeping_server(stub, channel):
    import queue
    q = queue.Queue()

    def requests():
        yield M.StreamingOutputCallRequest(payload=payload(27182))
        q.get(timeout=5)  # keep the request stream open: the server "sleeps" until the deadline

    call = stub.FullDuplexCall(requests(), timeout=0.001)
    expect_code(lambda: list(call), grpc.StatusCode.DEADLINE_EXCEEDED)
    q.put(None)


def client_compressed_unary(stub, channel):
    # probe: the server must reject an uncompressed message that claims to be compressed
    expect_code(lambda: stub.UnaryCall(M.SimpleRequest(expect_compressed=M.BoolValue(value=True), response_size=314159,
                                                       payload=payload(271828))), grpc.StatusCode.INVALID_ARGUMENT)
    r = stub.UnaryCall(M.SimpleRequest(expect_compressed=M.BoolValue(value=True), response_size=314159, payload=payload(271828)),
                       compression=grpc.Compression.Gzip)
    assert len(r.payload.body) == 314159
    r = stub.UnaryCall(M.SimpleRequest(expect_compressed=M.BoolValue(value=False), response_size=314159, payload=payload(271828)))
    assert len(r.payload.body) == 314159


def server_compressed_unary(stub, channel):
    for compressed in (True, False):
        r = stub.UnaryCall(M.SimpleRequest(response_compressed=M.BoolValue(value=compressed), response_size=314159,
                                           payload=payload(271828)))
        assert len(r.payload.body) == 314159


def client_compressed_streaming(stub, channel):
    probe = [M.StreamingInputCallRequest(expect_compressed=M.BoolValue(value=True), payload=payload(27182))]
    expect_code(lambda: stub.StreamingInputCall(iter(probe)), grpc.StatusCode.INVALID_ARGUMENT)
    # grpcio compresses every message of a compressed call (no per-message opt-out), so both expect compression
    reqs = [M.StreamingInputCallRequest(expect_compressed=M.BoolValue(value=True), payload=payload(n)) for n in (27182, 45904)]
    r = stub.StreamingInputCall(iter(reqs), compression=grpc.Compression.Gzip)
    assert r.aggregated_payload_size == 73086


def server_compressed_streaming(stub, channel):
    req = M.StreamingOutputCallRequest(response_parameters=[
        M.ResponseParameters(compressed=M.BoolValue(value=True), size=31415),
        M.ResponseParameters(compressed=M.BoolValue(value=False), size=92653)])
    assert [len(r.payload.body) for r in stub.StreamingOutputCall(req)] == [31415, 92653]


CASES = [empty_unary, large_unary, client_streaming, server_streaming, ping_pong, empty_stream, custom_metadata,
         status_code_and_message, special_status_message, unimplemented_method, unimplemented_service,
         cancel_after_begin, cancel_after_first_response, timeout_on_sleeping_server, client_compressed_unary,
         server_compressed_unary, client_compressed_streaming, server_compressed_streaming]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cases", default="")
    args = parser.parse_args()
    wanted = set(filter(None, args.cases.split(",")))
    failures = 0
    with grpc.insecure_channel("127.0.0.1:%d" % args.port) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = test_pb2_grpc.TestServiceStub(channel)
        for case in CASES:
            if wanted and case.__name__ not in wanted:
                continue
            try:
                case(stub, channel)
                print("PASS python " + case.__name__, flush=True)
            except Exception as e:  # noqa: BLE001 - report every failure and go on
                failures += 1
                print("FAIL python %s: %s" % (case.__name__, e or type(e).__name__), flush=True)
                traceback.print_exc(file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
