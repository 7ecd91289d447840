global using Grpc.Core;
