using Berth.Server.Components.Panel;
using Microsoft.Extensions.Localization;

namespace Berth.Server.Tests.Panel;

/// <summary>Activity rows are stored in English (the seed's contract) and shown in the reader's language.</summary>
public sealed class ActivityTextTests
{
    private static readonly IStringLocalizer Panel = PanelLanguage.Text;

    [Theory]
    [InlineData("Virtual server #3 created", "Sukurtas virtualus serveris #3")]
    [InlineData("Terminal opened on virtual server #7", "Atidarytas terminalas virtualiame serveryje #7")]
    [InlineData("Virtual server #3 deleted", "Ištrintas virtualus serveris #3")]
    [InlineData("Virtual server #12 started", "Paleistas virtualus serveris #12")]
    [InlineData("Virtual server #12 stopped", "Sustabdytas virtualus serveris #12")]
    [InlineData("Virtual server #4 renamed from \"web\" to \"shop (old)\"", "Virtualus serveris #4 pervadintas iš „web“ į „shop (old)“")]
    [InlineData("Limits of virtual server #4 set (cpus 1.5, memory none MB, pids 100)", "Nustatyti virtualaus serverio #4 ribojimai (cpus 1.5, memory none MB, pids 100)")]
    [InlineData("Server quota of user #7 set to 5", "Naudotojo #7 serverių kvota nustatyta: 5")]
    [InlineData("Domain name \"shop.example.com\" added to virtual server #4", "Domeno vardas „shop.example.com“ pridėtas virtualiam serveriui #4")]
    [InlineData("Domain name \"shop.example.com\" added to virtual server #4 (origin pulls on)", "Domeno vardas „shop.example.com“ pridėtas virtualiam serveriui #4 (su Cloudflare kliento sertifikatu)")]
    [InlineData("Domain name \"shop.example.com\" of virtual server #4 edited (ssl off)", "Pakeistas virtualaus serverio #4 domeno vardas „shop.example.com“ (ssl off)")]
    [InlineData("Domain name \"shop.example.com\" removed from virtual server #4", "Domeno vardas „shop.example.com“ pašalintas iš virtualaus serverio #4")]
    [InlineData("Domain name \"shop.example.com\" of virtual server #4 checked: verified", "Patikrintas virtualaus serverio #4 domeno vardas „shop.example.com“: verified")]
    [InlineData("Port forward 30001→7000 added for virtual server #4", "Prievado peradresavimas 30001→7000 pridėtas virtualiam serveriui #4")]
    [InlineData("Port forward 30002→8080 updated for virtual server #4", "Prievado peradresavimas 30002→8080 pakeistas virtualiame serveryje #4")]
    [InlineData("Port forward 30002→8080 deleted for virtual server #4", "Prievado peradresavimas 30002→8080 ištrintas iš virtualaus serverio #4")]
    [InlineData("Port forward quota of user #7 set to 2 per server", "Naudotojo #7 prievadų peradresavimų kvota nustatyta: 2 serveriui")]
    [InlineData("SSH key \"ana@laptop\" added (SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s)", "Pridėtas SSH raktas „ana@laptop“ (SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s)")]
    [InlineData("SSH key \"work (old)\" deleted (SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s)", "Ištrintas SSH raktas „work (old)“ (SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s)")]
    [InlineData("User ana@example.com edited: admin", "Pakeistas naudotojas ana@example.com: admin")]
    [InlineData("User ana@example.com deleted", "Ištrintas naudotojas ana@example.com")]
    [InlineData("User ana@example.com created", "Sukurtas naudotojas ana@example.com")]
    [InlineData("User ana@example.com created (disabled)", "Sukurtas naudotojas ana@example.com (išjungtas)")]
    [InlineData("User ana@example.com logged out", "Naudotojas ana@example.com atsijungė")]
    [InlineData("Password of ana@example.com reset by an operator", "Operatorius atkūrė naudotojo ana@example.com slaptažodį")]
    [InlineData("Password changed", "Slaptažodis pakeistas")]
    [InlineData("User ana@example.com logged in (IP: 127.0.0.2)", "Naudotojas ana@example.com prisijungė (IP: 127.0.0.2)")]
    [InlineData("Registration code generated", "Sugeneruotas registracijos kodas")]
    [InlineData("Registration code revoked", "Atšauktas registracijos kodas")]
    [InlineData("User ana@example.com registered with a code (IP: ::1)", "Naudotojas ana@example.com užsiregistravo su kodu (IP: ::1)")]
    [InlineData("File \"/site/index.html\" uploaded to virtual server #4", "Failas „/site/index.html“ įkeltas į virtualų serverį #4")]
    [InlineData("File \"/compose.yaml\" saved on virtual server #4", "Failas „/compose.yaml“ išsaugotas virtualiame serveryje #4")]
    [InlineData("File \"/site/new.html\" created on virtual server #4", "Failas „/site/new.html“ sukurtas virtualiame serveryje #4")]
    [InlineData("Folder \"/site/img\" created on virtual server #4", "Aplankas „/site/img“ sukurtas virtualiame serveryje #4")]
    [InlineData("Stack \"shop\" created on virtual server #4", "Rinkinys „shop“ sukurtas virtualiame serveryje #4")]
    [InlineData("Stack \"shop\" edited on virtual server #4", "Rinkinys „shop“ pakeistas virtualiame serveryje #4")]
    [InlineData("Stack \"shop\" up on virtual server #4", "Rinkinio „shop“ veiksmas up virtualiame serveryje #4")]
    [InlineData("Stack \"shop\" deleted from virtual server #4", "Rinkinys „shop“ ištrintas iš virtualaus serverio #4")]
    [InlineData("\"/a.txt\" renamed to \"/b/a.txt\" on virtual server #4", "„/a.txt“ pervadintas į „/b/a.txt“ virtualiame serveryje #4")]
    [InlineData("\"/old site\" deleted from virtual server #4", "„/old site“ ištrintas iš virtualaus serverio #4")]
    [InlineData("API token \"ci deploy\" created", "Sukurtas API raktas „ci deploy“")]
    [InlineData("API token \"ci deploy\" revoked", "Atšauktas API raktas „ci deploy“")]
    [InlineData("Domain name \"shop.example.com\" added to virtual server #4 (token ci)", "Domeno vardas „shop.example.com“ pridėtas virtualiam serveriui #4 (raktu „ci“)")]
    [InlineData("Domain name \"shop.example.com\" of virtual server #4 edited (target port 8080)", "Pakeistas virtualaus serverio #4 domeno vardas „shop.example.com“ (target port 8080)")]
    [InlineData("Something an older version wrote (token ci)", "Something an older version wrote (token ci)")]
    [InlineData("Something an older version wrote", "Something an older version wrote")]
    public void EveryMessageTheServicesWrite_IsShownInLithuanian(string stored, string lithuanian)
    {
        Assert.Equal(lithuanian, PanelLanguage.In("lt", () => ActivityText.Render(Panel, stored)));
        Assert.Equal(stored, PanelLanguage.In("en", () => ActivityText.Render(Panel, stored)));
    }
}
