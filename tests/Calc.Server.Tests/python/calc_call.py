#!/usr/bin/env python3
"""Calls one calc.v1 method with grpcio (an independent gRPC implementation) and prints the outcome as JSON.

Usage: calc_call.py --target 127.0.0.1:PORT --protos DIR --method calc.v1.QuoteService/GetCbrRate --json '{...}'
       [--timeout SECONDS] [--metadata key=value ...] [--stream-chunks N]

Stubs are generated from DIR (the repository's protos/) into a temporary folder with grpc_tools.protoc.
Output (one JSON object on stdout):
  {"ok": true, "response": {...}}                     unary
  {"ok": true, "responses": [{...}, ...]}             streaming (request --json is a list of messages)
  {"ok": false, "code": "NOT_FOUND", "message": "...", "reason": "UNKNOWN_CURRENCY", "field": "..."}
"""
import argparse
import glob
import importlib
import json
import os
import sys
import tempfile


def generate(protos_dir, out_dir):
    from grpc_tools import protoc
    files = sorted(glob.glob(os.path.join(protos_dir, "calc", "v1", "*.proto")))
    files += sorted(glob.glob(os.path.join(protos_dir, "google", "rpc", "*.proto")))
    files += sorted(glob.glob(os.path.join(protos_dir, "google", "api", "*.proto")))
    well_known = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    args = ["protoc", "-I" + protos_dir, "-I" + well_known, "--python_out=" + out_dir]
    rel = [os.path.relpath(f, protos_dir) for f in files]
    if protoc.main(args + rel) != 0:
        raise SystemExit("protoc failed")
    for root, _dirs, _files in os.walk(out_dir):
        init = os.path.join(root, "__init__.py")
        if not os.path.exists(init):
            open(init, "w").close()


def find_method(method):
    from google.protobuf import descriptor_pool
    service_name, method_name = method.split("/")
    pool = descriptor_pool.Default()
    service = pool.FindServiceByName(service_name)
    return service.methods_by_name[method_name]


def message_class(descriptor):
    module = importlib.import_module(descriptor.file.name.replace("/", ".")[:-len(".proto")] + "_pb2")
    return getattr(module, descriptor.name)


def error_outcome(err):
    from google.protobuf import json_format
    outcome = {"ok": False, "code": err.code().name, "message": err.details() or ""}
    for key, value in (err.trailing_metadata() or ()):
        if key == "grpc-status-details-bin":
            from google.rpc import status_pb2, error_details_pb2
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    outcome["reason"] = info.reason
                    outcome["field"] = info.metadata.get("field", "")
                bad = error_details_pb2.BadRequest()
                if detail.Unpack(bad):
                    outcome["field_violations"] = [json_format.MessageToDict(v) for v in bad.field_violations]
    return outcome


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--protos", required=True)
    parser.add_argument("--method", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--metadata", action="append", default=[])
    args = parser.parse_args()

    import grpc
    from google.protobuf import json_format

    out_dir = tempfile.mkdtemp(prefix="calc-py-")
    generate(args.protos, out_dir)
    sys.path.insert(0, out_dir)
    # the installed protobuf owns the 'google' package; let it also find the generated google.rpc
    import google
    google.__path__.append(os.path.join(out_dir, "google"))
    for name in ("common", "quotes", "income", "tax", "collateral"):
        importlib.import_module("calc.v1.%s_pb2" % name)
    importlib.import_module("google.rpc.status_pb2")
    importlib.import_module("google.rpc.error_details_pb2")

    method = find_method(args.method)
    request_cls = message_class(method.input_type)
    response_cls = message_class(method.output_type)
    path = "/%s/%s" % (method.containing_service.full_name, method.name)
    metadata = [tuple(m.split("=", 1)) for m in args.metadata]

    payload = json.loads(args.json)
    with grpc.insecure_channel(args.target) as channel:
        try:
            if method.client_streaming or method.server_streaming:
                call = channel.stream_stream(path, request_serializer=lambda m: m.SerializeToString(),
                                             response_deserializer=response_cls.FromString)
                requests = [json_format.ParseDict(p, request_cls()) for p in payload]
                responses = call(iter(requests), timeout=args.timeout, metadata=metadata)
                out = [json_format.MessageToDict(r, preserving_proto_field_name=True) for r in responses]
                print(json.dumps({"ok": True, "responses": out}))
            else:
                call = channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(),
                                           response_deserializer=response_cls.FromString)
                request = json_format.ParseDict(payload, request_cls())
                response = call(request, timeout=args.timeout, metadata=metadata)
                print(json.dumps({"ok": True, "response": json_format.MessageToDict(response, preserving_proto_field_name=True)}))
        except grpc.RpcError as err:
            print(json.dumps(error_outcome(err)))


if __name__ == "__main__":
    main()
