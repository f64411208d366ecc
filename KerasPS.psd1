@{
    RootModule           = 'module/bin/KerasPS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0d3c8e-2f4b-4c1e-9a51-3d7b8e2a9c41'
    Author               = 'KerasPS contributors'
    CompanyName          = 'KerasPS'
    Copyright            = '(c) KerasPS contributors. MIT License.'
    Description          = 'The Keras way of doing deep learning, native to PowerShell: build, train, evaluate and save neural networks on TorchSharp (libtorch).'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @(
        'module/KerasPS.Format.ps1xml'
        'module/KerasPS.Data.Format.ps1xml'
    )
    CmdletsToExport      = @(
        'New-Model'
        'Add-DenseLayer'
        'Add-ActivationLayer'
        'Add-DropoutLayer'
        'Build-Model'
        'New-Optimizer'
        'Get-ModelSummary'
        'Get-SampleData'
        'Invoke-ModelFit'
        'Invoke-ModelPredict'
        'Invoke-ModelEvaluate'
        'Import-ModelData'
        'ConvertTo-ModelData'
        'Split-TrainTest'
        'Add-NormalizationLayer'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('DeepLearning', 'Keras', 'TorchSharp', 'MachineLearning', 'NeuralNetwork')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
