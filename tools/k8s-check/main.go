// k8s-check decodes Kubernetes manifests strictly into the Kubernetes API types (unknown or
// duplicate fields are errors, as the API server's strict field validation makes them) and
// prints, as JSON, each object's kind and name and, for Deployments, each container's ports
// and probes, for the tests to check. Exit 1 with the error on stderr when a manifest is invalid.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type probe struct {
	Kind string `json:"kind"`
	Port int32  `json:"port"`
}

type container struct {
	Name      string           `json:"name"`
	Command   []string         `json:"command"`
	Ports     map[string]int32 `json:"ports"`
	Startup   *probe           `json:"startup"`
	Readiness *probe           `json:"readiness"`
	Liveness  *probe           `json:"liveness"`
}

type object struct {
	Kind       string      `json:"kind"`
	Name       string      `json:"name"`
	Containers []container `json:"containers,omitempty"`
	Ports      []int32     `json:"ports,omitempty"`
}

func describe(p *corev1.Probe) *probe {
	switch {
	case p == nil:
		return nil
	case p.GRPC != nil:
		return &probe{Kind: "grpc", Port: p.GRPC.Port}
	case p.TCPSocket != nil:
		return &probe{Kind: "tcp", Port: p.TCPSocket.Port.IntVal}
	case p.HTTPGet != nil:
		return &probe{Kind: "http", Port: p.HTTPGet.Port.IntVal}
	default:
		return &probe{Kind: "exec"}
	}
}

func run(path string) ([]object, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := appsv1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	decoder := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objects []object
	for {
		document, err := reader.Read()
		if err == io.EOF {
			return objects, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(document)) == 0 {
			continue
		}
		decoded, _, err := decoder.Decode(document, nil, nil)
		if err != nil {
			return nil, err
		}
		switch typed := decoded.(type) {
		case *appsv1.Deployment:
			found := object{Kind: "Deployment", Name: typed.Name}
			for _, c := range typed.Spec.Template.Spec.Containers {
				ports := map[string]int32{}
				for _, p := range c.Ports {
					ports[p.Name] = p.ContainerPort
				}
				found.Containers = append(found.Containers, container{
					Name: c.Name, Command: c.Command, Ports: ports,
					Startup: describe(c.StartupProbe), Readiness: describe(c.ReadinessProbe),
					Liveness: describe(c.LivenessProbe),
				})
			}
			objects = append(objects, found)
		case *corev1.Service:
			found := object{Kind: "Service", Name: typed.Name}
			for _, p := range typed.Spec.Ports {
				found.Ports = append(found.Ports, p.Port)
			}
			objects = append(objects, found)
		case *corev1.ConfigMap:
			objects = append(objects, object{Kind: "ConfigMap", Name: typed.Name})
		default:
			return nil, fmt.Errorf("unexpected object %T", decoded)
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: k8s-check MANIFEST.yaml")
		os.Exit(2)
	}
	objects, err := run(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(objects); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
