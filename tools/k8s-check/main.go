// k8s-check decodes Kubernetes manifests strictly into the Kubernetes API types (unknown or
// duplicate fields are errors, as the API server's strict field validation makes them) and
// prints, as JSON, each object's kind, name and namespace and, for Deployments, each
// container's ports, probes, environment and mounts, for the tests to check. Objects of other
// API groups (a mesh's custom resources) have no types here: they are printed with their spec
// as written, for the tests to read. Exit 1 with the error on stderr when a manifest is invalid.
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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type probe struct {
	Kind    string   `json:"kind"`
	Port    int32    `json:"port,omitempty"`
	Service string   `json:"service,omitempty"`
	Command []string `json:"command,omitempty"`
}

type container struct {
	Name      string            `json:"name"`
	Command   []string          `json:"command"`
	Ports     map[string]int32  `json:"ports"`
	Startup   *probe            `json:"startup"`
	Readiness *probe            `json:"readiness"`
	Liveness  *probe            `json:"liveness"`
	Env       map[string]string `json:"env,omitempty"`
	Mounts    map[string]string `json:"mounts,omitempty"`
}

type object struct {
	Kind           string            `json:"kind"`
	Name           string            `json:"name"`
	Namespace      string            `json:"namespace,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
	Containers     []container       `json:"containers,omitempty"`
	PodLabels      map[string]string `json:"podLabels,omitempty"`
	ServiceAccount string            `json:"serviceAccount,omitempty"`
	Secrets        map[string]string `json:"secrets,omitempty"`
	Ports          []int32           `json:"ports,omitempty"`
	AppProtocols   map[string]string `json:"appProtocols,omitempty"`
	Data           map[string]string `json:"data,omitempty"`
	Spec           any               `json:"spec,omitempty"`
}

func describe(p *corev1.Probe) *probe {
	switch {
	case p == nil:
		return nil
	case p.GRPC != nil:
		found := &probe{Kind: "grpc", Port: p.GRPC.Port}
		if p.GRPC.Service != nil {
			found.Service = *p.GRPC.Service
		}
		return found
	case p.TCPSocket != nil:
		return &probe{Kind: "tcp", Port: p.TCPSocket.Port.IntVal}
	case p.HTTPGet != nil:
		return &probe{Kind: "http", Port: p.HTTPGet.Port.IntVal}
	case p.Exec != nil:
		return &probe{Kind: "exec", Command: p.Exec.Command}
	default:
		return &probe{Kind: "none"}
	}
}

func header(kind string, meta metav1.ObjectMeta) object {
	return object{Kind: kind, Name: meta.Name, Namespace: meta.Namespace, Labels: meta.Labels}
}

func deployment(typed *appsv1.Deployment) object {
	found := header("Deployment", typed.ObjectMeta)
	pod := typed.Spec.Template.Spec
	found.PodLabels = typed.Spec.Template.Labels
	found.ServiceAccount = pod.ServiceAccountName
	for _, v := range pod.Volumes {
		if v.Secret != nil {
			if found.Secrets == nil {
				found.Secrets = map[string]string{}
			}
			found.Secrets[v.Name] = v.Secret.SecretName
		}
	}
	for _, c := range pod.Containers {
		ports := map[string]int32{}
		for _, p := range c.Ports {
			ports[p.Name] = p.ContainerPort
		}
		described := container{
			Name: c.Name, Command: c.Command, Ports: ports,
			Startup: describe(c.StartupProbe), Readiness: describe(c.ReadinessProbe),
			Liveness: describe(c.LivenessProbe),
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				if described.Env == nil {
					described.Env = map[string]string{}
				}
				described.Env[e.Name] = e.Value
			}
		}
		for _, m := range c.VolumeMounts {
			if described.Mounts == nil {
				described.Mounts = map[string]string{}
			}
			described.Mounts[m.Name] = m.MountPath
		}
		found.Containers = append(found.Containers, described)
	}
	return found
}

func service(typed *corev1.Service) object {
	found := header("Service", typed.ObjectMeta)
	for _, p := range typed.Spec.Ports {
		found.Ports = append(found.Ports, p.Port)
		if p.AppProtocol != nil {
			if found.AppProtocols == nil {
				found.AppProtocols = map[string]string{}
			}
			found.AppProtocols[p.Name] = *p.AppProtocol
		}
	}
	return found
}

// custom describes an object of a group this tool has no types for, from its YAML as written.
func custom(document []byte) (object, error) {
	var raw unstructured.Unstructured
	if err := utilyaml.Unmarshal(document, &raw.Object); err != nil {
		return object{}, err
	}
	found := object{
		Kind: raw.GetKind(), Name: raw.GetName(), Namespace: raw.GetNamespace(),
		Labels: raw.GetLabels(), Spec: raw.Object["spec"],
	}
	if found.Kind == "" || found.Name == "" {
		return object{}, fmt.Errorf("an object without a kind or a name: %s", document)
	}
	return found, nil
}

func run(path string) ([]object, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
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
		var meta metav1.TypeMeta
		if err := utilyaml.Unmarshal(document, &meta); err != nil {
			return nil, err
		}
		version, err := schema.ParseGroupVersion(meta.APIVersion)
		if err != nil {
			return nil, err
		}
		if version.Group != "" && !scheme.IsGroupRegistered(version.Group) {
			found, err := custom(document)
			if err != nil {
				return nil, err
			}
			objects = append(objects, found)
			continue
		}
		decoded, _, err := decoder.Decode(document, nil, nil)
		if err != nil {
			return nil, err
		}
		switch typed := decoded.(type) {
		case *appsv1.Deployment:
			objects = append(objects, deployment(typed))
		case *corev1.Service:
			objects = append(objects, service(typed))
		case *corev1.ConfigMap:
			found := header("ConfigMap", typed.ObjectMeta)
			found.Data = typed.Data
			objects = append(objects, found)
		case *corev1.ServiceAccount:
			objects = append(objects, header("ServiceAccount", typed.ObjectMeta))
		case *corev1.Namespace:
			objects = append(objects, header("Namespace", typed.ObjectMeta))
		default:
			return nil, fmt.Errorf("unexpected object %T", decoded)
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: k8s-check MANIFEST.yaml (- for standard input)")
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
