package models_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/godl-book/godl/internal/goldens"
	"github.com/godl-book/godl/pkg/models"
)

// golden is tools/goldens/models.py's record of torchvision 0.14.
type golden struct {
	Torch       string `json:"torch_version"`
	Torchvision string `json:"torchvision_version"`
	Variants    []struct {
		Name, Model             string
		Classes, Channels, Size int
		Params, Buffers         int
		Output                  []int
		MACs                    int64 `json:"macs"`
	} `json:"variants"`
	Tables map[string]struct {
		Input           []int
		Params, Buffers int
		Rows            []struct {
			Name, Kind string
			Params     int
			Output     []int
			MACs       int64 `json:"macs"`
		}
	} `json:"tables"`
}

func readGolden(t *testing.T) golden {
	t.Helper()
	data, err := os.ReadFile("testdata/models_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := goldens.Decode(data, &g); err != nil {
		t.Fatalf("testdata/models_golden.json: %v", err)
	}
	if !strings.HasPrefix(g.Torch, "1.13") || !strings.HasPrefix(g.Torchvision, "0.14") {
		t.Fatalf("goldens from torch %s / torchvision %s, want 1.13 / 0.14", g.Torch, g.Torchvision)
	}
	return g
}

// zoo maps torchvision's builder names to the models here.
var zoo = map[string]func(classes int) models.Model{
	"alexnet":       func(c int) models.Model { return models.AlexNet(c) },
	"vgg11":         func(c int) models.Model { return models.VGG(11, c) },
	"vgg11_bn":      func(c int) models.Model { return models.VGG(11, c, models.VGGBatchNorm()) },
	"vgg13":         func(c int) models.Model { return models.VGG(13, c) },
	"vgg13_bn":      func(c int) models.Model { return models.VGG(13, c, models.VGGBatchNorm()) },
	"vgg16":         func(c int) models.Model { return models.VGG(16, c) },
	"vgg16_bn":      func(c int) models.Model { return models.VGG(16, c, models.VGGBatchNorm()) },
	"vgg19":         func(c int) models.Model { return models.VGG(19, c) },
	"vgg19_bn":      func(c int) models.Model { return models.VGG(19, c, models.VGGBatchNorm()) },
	"googlenet":     func(c int) models.Model { return models.GoogLeNet(c) },
	"googlenet_aux": func(c int) models.Model { return models.GoogLeNet(c, models.AuxClassifiers()) },
	"resnet18":      func(c int) models.Model { return models.ResNet18(c) },
	"resnet34":      func(c int) models.Model { return models.ResNet34(c) },
	"resnet50":      func(c int) models.Model { return models.ResNet50(c) },
	"resnet101":     func(c int) models.Model { return models.ResNet101(c) },
	"resnet152":     func(c int) models.Model { return models.ResNet152(c) },
}

// TestZooMatchesTorchvision builds every model of the zoo — AlexNet, VGG-11/13/16/19 with and
// without batch norm, GoogLeNet with and without auxiliary classifiers, ResNet-18/34/50/101/152 —
// at ImageNet settings (batch 1, 224×224×3, 1000 classes), and five at other classes, channels
// and sizes, and checks each against torchvision 0.14 (tools/goldens/models.py): the parameter
// count (e.g. ResNet-50 25,557,032, VGG-16 138,357,544, AlexNet 61,100,840), the batch norms'
// running statistics (PyTorch's buffers), the logits' shape, and the multiply-adds of
// convolutions and dense layers. Graphs are only built (models.Summary), never run: shapes and
// counts are known at build time, and VGG's 138 M weights are never allocated.
func TestZooMatchesTorchvision(t *testing.T) {
	g := readGolden(t)
	seen := map[string]bool{}
	for _, v := range g.Variants {
		t.Run(v.Name, func(t *testing.T) {
			build, ok := zoo[v.Model]
			if !ok {
				t.Fatalf("no model for torchvision's %s", v.Model)
			}
			seen[v.Model] = true
			s, err := models.Summary(build(v.Classes), 1, v.Size, v.Size, v.Channels)
			if err != nil {
				t.Fatal(err)
			}
			if s.Trainable != v.Params || s.NonTrainable != v.Buffers {
				t.Errorf("%s trainable and %s non-trainable values; torchvision %s parameters and %s buffers",
					models.Commas(s.Trainable), models.Commas(s.NonTrainable), models.Commas(v.Params), models.Commas(v.Buffers))
			}
			if !slices.Equal(s.Output, v.Output) {
				t.Errorf("logits shaped %v, torchvision %v", s.Output, v.Output)
			}
			if s.MACs != v.MACs {
				t.Errorf("%d multiply-adds, torchvision %d", s.MACs, v.MACs)
			}
		})
	}
	if len(seen) != len(zoo) {
		t.Errorf("goldens cover %d of the %d models", len(seen), len(zoo))
	}
}

// TestSummary compares models.Summary's rows for ResNet-18 (224×224×3) and d2l's LeNet-5
// (28×28×1) with the rows that forward hooks record in PyTorch, as torchinfo prints them: each
// layer and block, by torchvision's module name, with its output shape (NHWC here), parameters
// and multiply-adds (a block's: the sum of its layers'), in the order they run. Activations, which torch calls as modules and godl as
// functions, have no rows here and are skipped. The totals must match too: 11,689,512 trainable
// parameters and 9,600 running statistics for ResNet-18; 61,706 parameters for LeNet-5.
func TestSummary(t *testing.T) {
	g := readGolden(t)
	for name, model := range map[string]models.Model{"resnet18": models.ResNet18(1000), "lenet5": models.LeNet5(10)} {
		t.Run(name, func(t *testing.T) {
			want := g.Tables[name]
			s, err := models.Summary(model, want.Input...)
			if err != nil {
				t.Fatal(err)
			}
			if s.Trainable != want.Params || s.NonTrainable != want.Buffers {
				t.Errorf("totals %d trainable, %d non-trainable; torch %d, %d", s.Trainable, s.NonTrainable, want.Params, want.Buffers)
			}
			var rows []models.Layer
			for _, r := range want.Rows {
				if r.Kind == "ReLU" {
					continue
				}
				// A block's multiply-adds are those of the layers inside it (torch's hooks count
				// layers only).
				macs := r.MACs
				for _, in := range want.Rows {
					if strings.HasPrefix(in.Name, r.Name+"/") {
						macs += in.MACs
					}
				}
				rows = append(rows, models.Layer{Name: r.Name, Output: r.Output, Params: r.Params, MACs: macs})
			}
			if len(s.Layers) != len(rows) {
				t.Errorf("%d rows, torch %d", len(s.Layers), len(rows))
			}
			for i := range min(len(rows), len(s.Layers)) {
				got, w := s.Layers[i], rows[i]
				if got.Name != w.Name || !slices.Equal(got.Output, w.Output) || got.Params != w.Params || got.MACs != w.MACs {
					t.Errorf("row %d: %s %v %d params %d MACs; torch %s %v %d params %d MACs",
						i, got.Name, got.Output, got.Params, got.MACs, w.Name, w.Output, w.Params, w.MACs)
				}
			}
			t.Logf("\n%s", s.Format(1))
		})
	}
}
