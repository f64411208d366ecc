@{
    NestedModules        = @('module/bin/KerasPS.LoadContext.dll', 'module/bin/KerasPS.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0d3c8e-2f4b-4c1e-9a51-3d7b8e2a9c41'
    Author               = 'KerasPS contributors'
    CompanyName          = 'KerasPS'
    Copyright            = '(c) 2026 KerasPS contributors. MIT License.'
    Description          = 'The Keras way of doing deep learning, native to PowerShell: build, train, evaluate and save neural networks on TorchSharp (libtorch).'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @(
        'module/KerasPS.Format.ps1xml'
        'module/KerasPS.Layers.Format.ps1xml'
        'module/KerasPS.Experiments.Format.ps1xml'
        'module/KerasPS.Data.Format.ps1xml'
    )
    CmdletsToExport      = @(
        'New-Model'
        'New-ModelInput'
        'Add-ModelLayer'
        'Add-ConcatenateLayer'
        'Add-AddLayer'
        'Add-SubtractLayer'
        'Add-MultiplyLayer'
        'Add-AverageLayer'
        'Add-MaximumLayer'
        'Add-MinimumLayer'
        'Add-DotLayer'
        'Add-DenseLayer'
        'Add-ActivationLayer'
        'Add-DropoutLayer'
        'Add-FlattenLayer'
        'Add-ReshapeLayer'
        'Add-PermuteLayer'
        'Add-RepeatVectorLayer'
        'Add-LambdaLayer'
        'Add-ActivityRegularizationLayer'
        'Add-LeakyReLULayer'
        'Add-PReLULayer'
        'Add-ELULayer'
        'Add-ReLULayer'
        'Add-SoftmaxLayer'
        'Add-BatchNormalizationLayer'
        'Add-LayerNormalizationLayer'
        'Add-GaussianNoiseLayer'
        'Add-AlphaDropoutLayer'
        'Add-Conv1DLayer'
        'Add-Conv2DLayer'
        'Add-MaxPooling1DLayer'
        'Add-MaxPooling2DLayer'
        'Add-AveragePooling1DLayer'
        'Add-AveragePooling2DLayer'
        'Add-GlobalAveragePooling1DLayer'
        'Add-GlobalAveragePooling2DLayer'
        'Add-EmbeddingLayer'
        'Add-SimpleRNNLayer'
        'Add-LSTMLayer'
        'Add-GRULayer'
        'New-Initializer'
        'New-Regularizer'
        'New-Constraint'
        'Build-Model'
        'New-Optimizer'
        'New-Metric'
        'Get-ModelSummary'
        'Get-SampleData'
        'Invoke-ModelFit'
        'Invoke-ModelPredict'
        'Invoke-ModelEvaluate'
        'New-EarlyStopping'
        'New-ModelCheckpoint'
        'New-ReduceLROnPlateau'
        'New-LearningRateScheduler'
        'New-TerminateOnNaN'
        'Set-KerasOption'
        'Get-KerasOption'
        'Install-KerasRuntime'
        'Get-KerasRuntime'
        'Export-Checkpoint'
        'Import-Checkpoint'
        'Export-OnnxModel'
        'Invoke-ModelSweep'
        'Import-SweepJournal'
        'Invoke-ModelCrossValidation'
        'New-TensorBoardLogger'
        'New-LambdaCallback'
        'Export-HistoryPlot'
        'Export-ModelPlot'
        'Show-History'
        'Import-ModelData'
        'ConvertTo-ModelData'
        'Split-TrainTest'
        'Add-NormalizationLayer'
        'Get-ModelLayer'
        'Set-ModelLayer'
        'Get-ModelWeight'
        'Set-ModelWeight'
        'Copy-Model'
        'Remove-ModelLayer'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('DeepLearning', 'Keras', 'TorchSharp', 'libtorch', 'MachineLearning', 'NeuralNetwork', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            # No ProjectUri, LicenseUri or HelpInfoUri until the project has a public home: an invented address is one
            # someone else could own. The package carries LICENSE itself.
            ReleaseNotes = @'
0.1.0
- Keras's Sequential workflow as cmdlets: 30 layers, compile/fit/evaluate/predict, callbacks, checkpoints (.kpt),
  sweeps in runspaces and over remoting, data import from CSV, objects and DataFrames, plots.
- Installs as a module package (Install-PSResource); the libtorch runtime comes apart, once per machine or job:
  Install-KerasRuntime (online, or -Source <folder> offline). Get-KerasRuntime says what is installed.
- Loads its dependencies in a private load context, so other modules' CsvHelper, SkiaSharp, Google.Protobuf or
  System.Collections.Immutable do not clash with it; runs on PowerShell 7.4 (.NET 8) and 7.6 (.NET 10).
'@
        }
    }
}
