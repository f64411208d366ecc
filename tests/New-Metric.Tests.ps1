# Precision, recall and AUC against values worked out by hand from Keras 3's formulas
# (keras/src/metrics/confusion_metrics.py and metrics_utils.update_confusion_matrix_variables).
BeforeAll {
    . $PSScriptRoot/common.ps1

    # A model whose output is exactly the given probabilities: softmax(ln p) = p for rows that sum to 1, and
    # sigmoid(logit p) = p. The final activation is fused with the cross-entropy, so the metrics see logits unless
    # they apply the activation themselves, which is what Keras's probabilities require.
    function Measure-Probabilities {
        param([double[][]] $P, [object[]] $Labels, [object[]] $Metrics, [switch] $Binary)
        if ($Binary) {
            $x = @($P | ForEach-Object { , [double[]]@([Math]::Log($_[0] / (1 - $_[0]))) })
            $m = New-Model -InputShape 1 | Add-ActivationLayer sigmoid | Build-Model sgd binary_crossentropy -Metrics $Metrics
        }
        else {
            $x = @($P | ForEach-Object { , [double[]]@($_ | ForEach-Object { [Math]::Log($_) }) })
            $m = New-Model -InputShape $P[0].Count | Add-ActivationLayer softmax | Build-Model sgd categorical_crossentropy -Metrics $Metrics
        }
        $m | Invoke-ModelEvaluate -X $x -Y $Labels
    }

    # The four rows of issue 12: labels a, c, b, b (one-hot [1,0,0], [0,0,1], [0,1,0], [0,1,0]).
    $script:P4 = @([double[]](.7, .2, .1), [double[]](.1, .6, .3), [double[]](.3, .3, .4), [double[]](.2, .7, .1))
    $script:L4 = @('a', 'c', 'b', 'b')
}

Describe 'New-Metric' {
    Context 'precision, recall and auc of a softmax model, as Keras computes them' {
        It 'flattens the outputs: precision 2/3, recall 1/2, AUC 0.84375 on the four-row example' {
            # Above 0.5: .7 (a, true), .6 (row 2 says c: false), .7 (b, true) -> TP 2, FP 1; 4 positives -> FN 2.
            # AUC: 12 decisions, 4 positive; the ROC over 200 thresholds has trapezoid area 27/32.
            $e = Measure-Probabilities $script:P4 $script:L4 precision, recall, auc
            $e.Precision | Should -BeGreaterThan (2 / 3 - 1e-9)
            $e.Precision | Should -BeLessThan (2 / 3 + 1e-9)
            $e.Recall | Should -Be 0.5
            $e.Auc | Should -BeGreaterThan (0.84375 - 1e-9)
            $e.Auc | Should -BeLessThan (0.84375 + 1e-9)
        }

        It 'scores one class with -ClassId (class b: precision 1/2, recall 1/2)' {
            # Column b: .2, .6, .3, .7 with labels 0, 0, 1, 1 -> above 0.5: .6 (false), .7 (true).
            $e = Measure-Probabilities $script:P4 $script:L4 (New-Metric precision -ClassId 1 -Name precision_b), (New-Metric recall -ClassId 1 -Name recall_b)
            $e.PrecisionB | Should -Be 0.5
            $e.RecallB | Should -Be 0.5
        }

        It 'keeps the top k outputs of each row with -TopK (top 1: precision 1/2, recall 1/2)' {
            # Without a threshold every row's largest output is positive: .7 a (true), .6 b (false), .4 c (false), .7 b (true).
            $e = Measure-Probabilities $script:P4 $script:L4 (New-Metric precision -TopK 1), (New-Metric recall -TopK 1)
            $e.Precision | Should -Be 0.5
            $e.Recall | Should -Be 0.5
        }

        It 'uses -Threshold (0.25: precision 4/7, recall 1)' {
            # Above 0.25: row 1 .7 a (true); row 2 .6 b (false), .3 c (true); row 3 .3 a (false), .3 b (true), .4 c (false);
            # row 4 .7 b (true) -> TP 4, FP 3, FN 0.
            $e = Measure-Probabilities $script:P4 $script:L4 (New-Metric precision -Threshold 0.25), (New-Metric recall -Threshold 0.25)
            $e.Precision | Should -BeGreaterThan (4 / 7 - 1e-9)
            $e.Precision | Should -BeLessThan (4 / 7 + 1e-9)
            $e.Recall | Should -Be 1
        }
    }

    Context 'binary AUC over 200 thresholds' {
        It 'ties scores that fall between the same two thresholds, as Keras does (0.875 where the exact AUC is 1)' {
            # Scores .398 (negative) and .401 (positive) both lie between thresholds 79/199 and 80/199, so that pair
            # counts half: (3 + 0.5) / 4.
            $p = @([double[]]@(.1), [double[]]@(.398), [double[]]@(.401), [double[]]@(.9))
            $e = Measure-Probabilities $p @(0, 0, 1, 1) auc -Binary
            $e.Auc | Should -BeGreaterThan (0.875 - 1e-9)
            $e.Auc | Should -BeLessThan (0.875 + 1e-9)
            $e = Measure-Probabilities $p @(0, 0, 1, 1) (New-Metric auc -NumThresholds 1000) -Binary
            $e.Auc | Should -BeGreaterThan (1 - 1e-9)
        }
    }

    Context 'the object and where it goes' {
        It 'returns a metric spec that shows its options' {
            $m = New-Metric precision -ClassId 2 -Name precision_c
            $m.Kind | Should -Be 'precision'
            $m.Name | Should -Be 'precision_c'
            $m.ClassId | Should -Be 2
            "$m" | Should -Be 'precision_c (Precision: class_id=2)'
        }

        It 'travels through a checkpoint in Keras''s metric config form' {
            $m = New-Model -InputShape 3 | Add-DenseLayer 3 -Activation softmax |
                Build-Model sgd categorical_crossentropy -Metrics accuracy, (New-Metric precision -ClassId 1 -Name precision_b), (New-Metric auc -NumThresholds 50)
            $p = Join-Path $TestDrive 'metrics.kpt'
            $m | Export-Checkpoint -Path $p
            $c = [Text.Encoding]::UTF8.GetString((Read-ZipEntry $p 'config.json')) | ConvertFrom-Json -AsHashtable
            $c.compile.metrics[0] | Should -Be 'accuracy'
            $c.compile.metrics[1].class_name | Should -Be 'Precision'
            $c.compile.metrics[1].config.class_id | Should -Be 1
            $c.compile.metrics[2].config.num_thresholds | Should -Be 50
            $back = Import-Checkpoint -Path $p
            $back.Metrics | Should -Be @('accuracy', 'precision_b', 'auc')
            $back.Engine.Metrics[1].ClassId | Should -Be 1
            $back.Engine.Metrics[2].NumThresholds | Should -Be 50
        }

        It 'refuses <Case> with <Id>' -ForEach @(
            @{ Case = 'a threshold above 1'; Id = 'InvalidMetricOption'; Make = { New-Metric precision -Threshold 1.5 } }
            @{ Case = 'a class_id on auc'; Id = 'InvalidMetricOption'; Make = { New-Metric auc -ClassId 1 } }
            @{ Case = 'num_thresholds on recall'; Id = 'InvalidMetricOption'; Make = { New-Metric recall -NumThresholds 10 } }
            @{ Case = 'top_k of 0'; Id = 'InvalidMetricOption'; Make = { New-Metric precision -TopK 0 } }
            @{ Case = 'an unknown metric'; Id = 'UnknownMetric'; Make = { New-Metric f1 } }
            @{ Case = 'a name starting with val_'; Id = 'InvalidMetricName'; Make = { New-Metric auc -Name val_auc } }
            @{ Case = 'two metrics with one name'; Id = 'DuplicateMetricName'; Make = { New-Model -InputShape 3 | Add-DenseLayer 3 | Build-Model sgd mse -Metrics precision, (New-Metric precision -ClassId 1) } }
        ) {
            Get-ErrorId $Make | Should -Be $Id
        }
    }
}
