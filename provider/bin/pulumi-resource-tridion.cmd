@echo off
rem pulumi-resource-tridion.cmd: the tridion provider plugin on Windows, where Pulumi runs a
rem plugin's .exe or .cmd file. Pulumi starts it and reads the port it prints; it needs Node.js 22 or later on PATH.
rem Two layouts: the plugin's tarball (the bundled pulumi-resource-tridion.js beside this file) and
rem this repository or the npm package (dist\plugin\main.js one folder up).
setlocal
where node >nul 2>nul
if errorlevel 1 goto nonode
set "NODE_MAJOR="
for /f "delims=" %%v in ('node -p "parseInt(process.versions.node)" 2^>nul') do set "NODE_MAJOR=%%v"
if not defined NODE_MAJOR set "NODE_MAJOR=0"
if %NODE_MAJOR% LSS 22 goto oldnode
set "PLUGIN_SCRIPT=%~dp0pulumi-resource-tridion.js"
if not exist "%PLUGIN_SCRIPT%" set "PLUGIN_SCRIPT=%~dp0..\dist\plugin\main.js"
node "%PLUGIN_SCRIPT%" %*
exit /b %ERRORLEVEL%

:nonode
echo pulumi-resource-tridion: Node.js was not found on PATH. The tridion provider plugin runs on Node.js 22 or later: install it (https://nodejs.org) and make sure `node` is on PATH for Pulumi. 1>&2
exit /b 1

:oldnode
set "NODE_VERSION=of unknown version"
for /f "delims=" %%v in ('node --version 2^>nul') do set "NODE_VERSION=%%v"
echo pulumi-resource-tridion: the tridion provider plugin needs Node.js 22 or later, and `node` on PATH is %NODE_VERSION%. Install Node.js 22 or later and put it first on PATH. 1>&2
exit /b 1
