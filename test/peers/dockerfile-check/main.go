// dockerfile-check reads a Dockerfile the way Docker does, without a Docker engine: BuildKit's own
// parser and lint rules (what `docker build --check` runs, via dockerfile2llb.DockerfileLint), the
// stages and instructions BuildKit derives from it, and which files of a build context the
// .dockerignore beside it leaves out (moby/patternmatcher, the matcher Docker uses).
//
//	dockerfile-check DOCKERFILE DOCKERIGNORE < paths    (one context-relative path per line)
//
// Prints one JSON object: {warnings, error, stages, ignored}.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"
)

// offlineResolver stands in for the registry: base images resolve to a minimal Debian-like config
// (the rules that read a base image only look at its environment and platform).
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg, err := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config":       map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{}},
	})
	return ref, digest.FromBytes(cfg), cfg, err
}

type command struct {
	Name     string            `json:"name"`
	Source   string            `json:"source"`
	Exec     bool              `json:"exec,omitempty"` // JSON (exec) form, for RUN/CMD/ENTRYPOINT
	Args     []string          `json:"args,omitempty"`
	From     string            `json:"from,omitempty"` // COPY --from
	Labels   map[string]string `json:"labels,omitempty"`
	Interval string            `json:"interval,omitempty"` // HEALTHCHECK timings
	Timeout  string            `json:"timeout,omitempty"`
	Start    string            `json:"startPeriod,omitempty"`
	Retries  int               `json:"retries,omitempty"`
}

type stage struct {
	Name     string    `json:"name"`
	Base     string    `json:"base"`
	Commands []command `json:"commands"`
}

type output struct {
	Warnings []string `json:"warnings"`
	Error    string   `json:"error"`
	Stages   []stage  `json:"stages"`
	Ignored  []string `json:"ignored"`
}

func describe(c instructions.Command) command {
	out := command{Name: c.Name(), Source: fmt.Sprint(c)}
	switch v := c.(type) {
	case *instructions.RunCommand:
		out.Exec, out.Args = !v.PrependShell, v.CmdLine
	case *instructions.CmdCommand:
		out.Exec, out.Args = !v.PrependShell, v.CmdLine
	case *instructions.EntrypointCommand:
		out.Exec, out.Args = !v.PrependShell, v.CmdLine
	case *instructions.HealthCheckCommand:
		out.Args = v.Health.Test
		out.Interval, out.Timeout, out.Start = v.Health.Interval.String(), v.Health.Timeout.String(), v.Health.StartPeriod.String()
		out.Retries = v.Health.Retries
	case *instructions.UserCommand:
		out.Args = []string{v.User}
	case *instructions.ExposeCommand:
		out.Args = v.Ports
	case *instructions.LabelCommand:
		// Values as the image gets them: quotes removed by the Dockerfile word rules.
		lex := shell.NewLex('\\')
		_ = v.Expand(func(w string) (string, error) {
			s, _, err := lex.ProcessWord(w, shell.EnvsFromSlice(nil))
			return s, err
		})
		out.Labels = map[string]string{}
		for _, kv := range v.Labels {
			out.Labels[kv.Key] = kv.Value
		}
	case *instructions.CopyCommand:
		out.From, out.Args = v.From, append(append([]string{}, v.SourcePaths...), v.DestPath)
	case *instructions.WorkdirCommand:
		out.Args = []string{v.Path}
	case *instructions.ArgCommand:
		for _, a := range v.Args {
			val := ""
			if a.Value != nil {
				val = *a.Value
			}
			out.Args = append(out.Args, a.Key+"="+val)
		}
	}
	return out
}

func run() error {
	if len(os.Args) != 3 {
		return fmt.Errorf("usage: dockerfile-check DOCKERFILE DOCKERIGNORE < paths")
	}
	dt, err := os.ReadFile(os.Args[1])
	if err != nil {
		return err
	}
	out := output{Warnings: []string{}, Stages: []stage{}, Ignored: []string{}}

	sm := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", dt)
	sm.Definition = &llb.Definition{}
	lint, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		MetaResolver: offlineResolver{},
		SourceMap:    sm,
	})
	if err != nil {
		return err
	}
	for _, w := range lint.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		out.Warnings = append(out.Warnings, fmt.Sprintf("%s (line %d): %s", w.RuleName, line, w.Detail))
	}
	if lint.Error != nil {
		out.Error = lint.Error.Message
	}

	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return err
	}
	stages, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return err
	}
	for _, s := range stages {
		st := stage{Name: s.Name, Base: s.BaseName, Commands: []command{}}
		for _, c := range s.Commands {
			st.Commands = append(st.Commands, describe(c))
		}
		out.Stages = append(out.Stages, st)
	}

	ig, err := os.Open(os.Args[2])
	if err != nil {
		return err
	}
	defer ig.Close()
	patterns, err := ignorefile.ReadAll(ig)
	if err != nil {
		return err
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		p := sc.Text()
		if p == "" {
			continue
		}
		skip, err := pm.MatchesOrParentMatches(p)
		if err != nil {
			return err
		}
		if skip {
			out.Ignored = append(out.Ignored, p)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dockerfile-check:", err)
		os.Exit(1)
	}
}
